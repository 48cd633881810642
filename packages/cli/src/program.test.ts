import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { capture, runInProcess as run } from './in-process.test-helper.js';
import { createProgram } from './program.js';

describe('the clusterconf program', () => {
  const names = createProgram(capture().io).commands.map((command) => command.name());

  it('has every documented command', () => {
    expect(names).toEqual(expect.arrayContaining(['seed', 'replay', 'rebuild', 'status', 'export', 'import', 'tail']));
  });

  it.each(['seed', 'replay', 'rebuild', 'status', 'export', 'import', 'tail'])('prints help with an example for %s and exits 0', async (name) => {
    const result = await run(name, '--help');
    expect(result.code).toBe(0);
    expect(result.stdout).toContain(`Usage: clusterconf ${name}`);
    expect(result.stdout).toContain('--store');
    expect(result.stdout).toMatch(/Example/);
  });

  it('prints the version in its package.json for --version and -V, and exits 0', async () => {
    const { version } = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string };
    for (const flag of ['--version', '-V']) {
      const result = await run(flag);
      expect(result.code).toBe(0);
      expect(result.stdout).toBe(`${version}\n`);
    }
  });

  it('reports a missing argument as a usage error with exit code 2', async () => {
    const result = await run('import');
    expect(result.code).toBe(2);
    expect(result.stderr).toContain("missing required argument 'file'");
  });

  it('reports a bad option value as a usage error with exit code 2', async () => {
    const result = await run('tail', '--store', 'sqlite::memory:', '--limit', 'many');
    expect(result.code).toBe(2);
    expect(result.stderr.trim()).toBe('clusterconf: --limit "many" is not a positive whole number; give e.g. --limit 10');
  });

  it('refuses a --from position no store can hold as a usage error', async () => {
    const result = await run('tail', '--store', 'sqlite::memory:', '--from', '99999999999999999999');
    expect(result.code).toBe(2);
    expect(result.stderr.trim()).toMatch(/^clusterconf: --from: "99999999999999999999" is past the largest position a store can hold/);
  });

  it('prints the version of its package.json for --version and -V', async () => {
    const { version } = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string };
    for (const flag of ['--version', '-V']) {
      const result = await run(flag);
      expect(result.code).toBe(0);
      expect(result.stdout).toBe(`${version}\n`);
    }
  });

  it.each([
    [['statsu'], "clusterconf: unknown command 'statsu'; did you mean status? (run the command with --help for usage)"],
    [['status', '--jsn'], "clusterconf: unknown option '--jsn'; did you mean --json? (run the command with --help for usage)"],
    [['tail', '--until-hed'], "clusterconf: unknown option '--until-hed'; did you mean --until-head? (run the command with --help for usage)"],
    [['status', 'extra'], "clusterconf: too many arguments for 'status'. Expected 0 arguments but got 1. (run the command with --help for usage)"],
  ])('reports commander\'s usage error for %j in one line, with its suggestion, exit code 2', async (args, line) => {
    const result = await run(...args);
    expect(result.code).toBe(2);
    expect(result.stderr).toBe(`${line}\n`);
  });

  it('reports a missing command in one line, exit code 2', async () => {
    const result = await run();
    expect(result.code).toBe(2);
    expect(result.stderr).toBe('clusterconf: no command given; choose one of seed, replay, rebuild, status, export, import, tail, forget, keys, schema (run clusterconf --help for usage)\n');
    expect(result.stdout).toBe('');
  });

  it('suggests the projection a mistyped name was meant to be, before opening any store', async () => {
    const result = await run('rebuild', 'atendance', '--store', 'sqlite:/nonexistent/never.sqlite');
    expect(result.code).toBe(2);
    expect(result.stderr).toBe('clusterconf: Unknown projection "atendance": did you mean attendance? choose one of attendance, agenda, ballot_tallies, award_roll, alliance_roster, attendee_directory\n');
  });

  it('shows the program\'s options in every command\'s help', async () => {
    const result = await run('status', '--help');
    expect(result.stdout).toMatch(/Global Options:[\s\S]*--config <path>[\s\S]*--progress/);
    expect(result.stdout).toContain('--json');
  });
});
