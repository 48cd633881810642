import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { dropSchema, postgresAvailable, postgresUrl, uniqueSchema } from '../support/postgres.js';
import { expectEcc2020Facts, reportSection } from './ecc2020-facts.js';
import { runCli, runExample } from './spawn-tsx.js';

const exported = /exported (\d+) events up to position \S+ from .* sha256 ([0-9a-f]{64})/;
const verified = /verified (\d+) events, sha256 ([0-9a-f]{64})/;

describe.skipIf(!postgresAvailable)('export from SQLite, import into PostgreSQL, the same report from PostgreSQL', () => {
  const dir = mkdtempSync(join(tmpdir(), 'clusterconf-export-'));
  const schema = uniqueSchema('e2e_ecc2020');
  const sqlite = `sqlite:${join(dir, 'ecc2020.sqlite')}`;
  const postgres = `${postgresUrl}?schema=${schema}`;
  const file = join(dir, 'ecc2020.ndjson');

  afterAll(async () => {
    rmSync(dir, { recursive: true, force: true });
    await dropSchema(schema);
  });

  it('moves every event with its checksum and rebuilds an identical report on the other backend', async () => {
    const seeded = await runCli(['seed', 'ecc2020', '--store', sqlite]);
    expect(seeded.code, seeded.stderr).toBe(0);
    const fromSqlite = await runExample({ CLUSTERCONF_STORE: sqlite });
    expect(fromSqlite.code, fromSqlite.stderr).toBe(0);
    expectEcc2020Facts(fromSqlite.stdout);

    const exportRun = await runCli(['export', '--store', sqlite, '--out', file]);
    expect(exportRun.code, exportRun.stderr).toBe(0);
    const [, count, sha256] = exported.exec(exportRun.stdout) ?? [];
    expect(Number(count)).toBeGreaterThan(1600);
    const lines = readFileSync(file, 'utf8').trim().split('\n');
    expect(lines).toHaveLength(Number(count) + 1);
    expect(JSON.parse(lines.at(-1)!)).toEqual({ format: 'clusterconf-ndjson/1', events: Number(count), sha256 });

    const importRun = await runCli(['import', file, '--store', postgres]);
    expect(importRun.code, importRun.stderr).toBe(0);
    expect(verified.exec(importRun.stdout)?.slice(1)).toEqual([count, sha256]);

    const fromPostgres = await runExample({ CLUSTERCONF_STORE: postgres });
    expect(fromPostgres.code, fromPostgres.stderr).toBe(0);
    expect(fromPostgres.stdout).toContain(`History already stored (${count} events): replaying it into the read models, writing nothing`);
    expectEcc2020Facts(fromPostgres.stdout);
    expect(reportSection(fromPostgres.stdout)).toBe(reportSection(fromSqlite.stdout));

    // Exporting the PostgreSQL copy gives the same canonical lines, so the same checksum.
    const again = await runCli(['export', '--store', postgres]);
    expect(again.code, again.stderr).toBe(0);
    expect(JSON.parse(again.stdout.trim().split('\n').at(-1)!)).toEqual({ format: 'clusterconf-ndjson/1', events: Number(count), sha256 });

    // A second import is a verified no-op, and the status shows every projection at the head.
    const reimport = await runCli(['import', file, '--store', postgres]);
    expect(verified.exec(reimport.stdout)?.slice(1)).toEqual([count, sha256]);
    const status = await runCli(['status', '--store', postgres]);
    expect(status.code, status.stderr).toBe(0);
    const rows = status.stdout.trim().split('\n').slice(2);
    expect(rows.map((row) => row.split(/\s+/)[0])).toEqual(['attendance', 'agenda', 'ballot_tallies', 'award_roll', 'alliance_roster', 'attendee_directory']);
    expect(rows.every((row) => row.endsWith(' 0'))).toBe(true);
  }, 300_000);
});
