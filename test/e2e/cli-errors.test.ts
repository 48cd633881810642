import { copyFileSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import Database from 'better-sqlite3';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { postgresAvailable, postgresUrl } from '../support/postgres.js';
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
    expect(line).toContain('Cannot reach the store at postgres://postgres:***@127.0.0.1:1/test');
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
    expect(line).toContain('Cannot reach the store at esdb://127.0.0.1:1');
    expect(line).toContain('tls=');
  });

  it('rejects an unknown projection as a usage error listing the built-in ones, exit code 2', async () => {
    const result = await runCli(['rebuild', 'speakers', '--store', `sqlite:${join(dir, 'any.sqlite')}`]);
    expect(result.code).toBe(2);
    const line = expectOneLineError(result.stderr);
    expect(line).toBe('clusterconf: Unknown projection "speakers": choose one of attendance, agenda, ballot_tallies, award_roll, alliance_roster, attendee_directory');
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

  describe('export and read-only commands leave what is already there as it was', () => {
    const seeded = join(dir, 'seeded.sqlite');
    const seed = async () => {
      if (!existsSync(seeded)) expect((await runCli(['seed', 'ecc2020', '--store', `sqlite:${seeded}`])).code).toBe(0);
    };

    it('a failed export leaves the previous export at its path whole, and no partial file', async () => {
      await seed();
      const corrupt = join(dir, 'corrupt.sqlite');
      copyFileSync(seeded, corrupt);
      const db = new Database(corrupt);
      db.prepare("update events set data = '{broken' where position = 1000").run();
      db.close();
      const out = join(dir, 'exports', 'good.ndjson');
      expect((await runCli(['export', '--store', `sqlite:${seeded}`, '--out', out])).code).toBe(0);
      const before = readFileSync(out, 'utf8');
      const result = await runCli(['export', '--store', `sqlite:${corrupt}`, '--out', out]);
      expect(result.code).toBe(1);
      expectOneLineError(result.stderr);
      expect(readFileSync(out, 'utf8')).toBe(before);
      expect(readdirSync(join(dir, 'exports'))).toEqual(['good.ndjson']);
    });

    it('refuses a directory as --out as a usage error', async () => {
      await seed();
      const result = await runCli(['export', '--store', `sqlite:${seeded}`, '--out', dir]);
      expect(result.code).toBe(2);
      expect(expectOneLineError(result.stderr)).toContain('is a directory; name a file in it');
    });

    it.skipIf(!existsSync('/dev/full'))('reports a full disk in one line and writes a device in place, never replacing it', async () => {
      await seed();
      const result = await runCli(['export', '--store', `sqlite:${seeded}`, '--out', '/dev/full']);
      expect(result.code).toBe(1);
      expect(expectOneLineError(result.stderr)).toMatch(/cannot write the export \(ENOSPC\)/);
      expect(statSync('/dev/full').isCharacterDevice()).toBe(true);
    });

    it('status on a SQLite file of another application refuses it and changes no byte', async () => {
      const foreign = join(dir, 'foreign.sqlite');
      const db = new Database(foreign);
      db.exec('create table customers (id integer primary key)');
      db.close();
      const before = readFileSync(foreign);
      const result = await runCli(['status', '--store', `sqlite:${foreign}`]);
      expect(result.code).toBe(1);
      expect(expectOneLineError(result.stderr)).toContain('holds no @clusterconf event store, and was left as it was');
      expect(readFileSync(foreign).equals(before)).toBe(true);
      writeFileSync(join(dir, 'junk.sqlite'), 'not a database');
      expect((await runCli(['export', '--store', `sqlite:${join(dir, 'junk.sqlite')}`])).code).toBe(1);
      expect(readFileSync(join(dir, 'junk.sqlite'), 'utf8')).toBe('not a database');
    });

    it.skipIf(!postgresAvailable)('status on a mistyped PostgreSQL schema refuses it and creates nothing', async () => {
      const schema = `cli_typo_${process.pid}`;
      const result = await runCli(['status', '--store', `${postgresUrl}?schema=${schema}`]);
      expect(result.code).toBe(1);
      expect(expectOneLineError(result.stderr)).toContain(`schema "${schema}" holds no @clusterconf event store`);
      const pg = await import('pg');
      const client = new pg.default.Client({ connectionString: postgresUrl });
      await client.connect();
      const found = await client.query('select 1 from information_schema.schemata where schema_name = $1', [schema]);
      await client.end();
      expect(found.rowCount).toBe(0);
    });
  });
});
