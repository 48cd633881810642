import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli } from './spawn-tsx.js';

/** A one-line error: `clusterconf: ...` and nothing else on stderr, no stack trace. */
const expectOneLineError = (stderr: string): string => {
  const lines = stderr.trim().split('\n');
  expect(lines).toHaveLength(1);
  expect(lines[0]).toMatch(/^clusterconf: /);
  expect(stderr).not.toMatch(/\n\s+at /);
  return lines[0]!;
};

describe('clusterconf error paths', () => {
  const dir = mkdtempSync(join(tmpdir(), 'clusterconf-cli-errors-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('refuses a bad store URL with the accepted forms, masking the password, exit code 1', async () => {
    const result = await runCli(['export', '--store', 'mysql://root:hunter2@db/events']);
    expect(result.code).toBe(1);
    const line = expectOneLineError(result.stderr);
    expect(line).toContain('Unknown scheme "mysql:"');
    expect(line).toContain('sqlite:PATH');
    expect(line).toContain('postgres://');
    expect(line).toContain('esdb://');
    expect(line).not.toContain('hunter2');
  });

  it('names an unreachable PostgreSQL server and what to check, without the password', async () => {
    const result = await runCli(['status', '--store', 'postgres://postgres:hunter2@127.0.0.1:1/test?schema=nowhere']);
    expect(result.code).toBe(1);
    const line = expectOneLineError(result.stderr);
    expect(line).toContain('Cannot reach the event store at postgres://postgres:***@127.0.0.1:1/test');
    expect(line).toMatch(/check that PostgreSQL is running/);
    expect(line).not.toContain('hunter2');
  });

  it('says how to create a SQLite file that does not exist, and creates nothing', async () => {
    const missing = join(dir, 'missing.sqlite');
    const result = await runCli(['tail', '--store', `sqlite:${missing}`]);
    expect(result.code).toBe(1);
    const line = expectOneLineError(result.stderr);
    expect(line).toContain(`No such file: ${missing}`);
    expect(line).toContain('clusterconf seed ecc2020');
    expect(existsSync(missing)).toBe(false);
  });

  it('names an unreachable EventStoreDB server and the tls setting to check', async () => {
    const result = await runCli(['status', '--store', 'esdb://127.0.0.1:1?tls=false']);
    expect(result.code).toBe(1);
    const line = expectOneLineError(result.stderr);
    expect(line).toContain('Cannot reach the event store at esdb://127.0.0.1:1');
    expect(line).toContain('tls=');
  });

  it('rejects an unknown projection as a usage error listing the built-in ones, exit code 2', async () => {
    const result = await runCli(['rebuild', 'speakers', '--store', `sqlite:${join(dir, 'any.sqlite')}`]);
    expect(result.code).toBe(2);
    const line = expectOneLineError(result.stderr);
    expect(line).toBe('clusterconf: Unknown projection "speakers": choose one of attendance, agenda, ballot_tallies, award_roll, alliance_roster');
    expect(existsSync(join(dir, 'any.sqlite'))).toBe(false);
  });

  it('refuses a missing import file before touching the store', async () => {
    const result = await runCli(['import', join(dir, 'nope.ndjson'), '--store', `sqlite:${join(dir, 'target.sqlite')}`]);
    expect(result.code).toBe(1);
    expect(expectOneLineError(result.stderr)).toContain('nope.ndjson');
  });

  it('rejects an unknown command as a usage error, exit code 2', async () => {
    const result = await runCli(['frobnicate']);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain("unknown command 'frobnicate'");
  });
});
