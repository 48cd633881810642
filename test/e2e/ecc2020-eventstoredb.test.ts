import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EventStoreDBTestServer } from '../eventstoredb/test-server/index.js';
import { expectEcc2020Facts, reportSection } from './ecc2020-facts.js';
import { runCli, runExample } from './spawn-tsx.js';

const exported = /exported (\d+) events .* sha256 ([0-9a-f]{64})/;
const verified = /verified (\d+) events, sha256 ([0-9a-f]{64})/;

// EventStoreDB itself cannot be installed here: this runs against the in-process gRPC test server built from the
// client's own service definitions (see test/eventstoredb), which the CLI reaches over a real socket.
describe('export from SQLite and import into EventStoreDB (test server), then the same report from it', () => {
  const dir = mkdtempSync(join(tmpdir(), 'clusterconf-esdb-'));
  const server = new EventStoreDBTestServer();
  beforeAll(() => server.start());
  afterAll(async () => {
    await server.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('carries every event across with the same checksum and builds the same read models', async () => {
    const sqlite = `sqlite:${join(dir, 'ecc2020.sqlite')}`;
    const file = join(dir, 'ecc2020.ndjson');
    expect((await runCli(['seed', 'ecc2020', '--store', sqlite])).code).toBe(0);
    const fromSqlite = await runExample({ CLUSTERCONF_STORE: sqlite });
    expect(fromSqlite.code, fromSqlite.stderr).toBe(0);
    const exportRun = await runCli(['export', '--store', sqlite, '--out', file]);
    const [, count, sha256] = exported.exec(exportRun.stdout) ?? [];
    expect(Number(count)).toBeGreaterThan(1600);

    const importRun = await runCli(['import', file, '--store', server.connectionString]);
    expect(importRun.code, importRun.stderr).toBe(0);
    expect(verified.exec(importRun.stdout)?.slice(1)).toEqual([count, sha256]);

    const back = await runCli(['export', '--store', server.connectionString]);
    expect(back.code, back.stderr).toBe(0);
    expect(JSON.parse(back.stdout.trim().split('\n').at(-1)!)).toMatchObject({ events: Number(count), sha256 });

    const fromEsdb = await runExample({ CLUSTERCONF_STORE: server.connectionString });
    expect(fromEsdb.code, fromEsdb.stderr).toBe(0);
    expect(fromEsdb.stdout).toContain(`History already stored (${count} events)`);
    expectEcc2020Facts(fromEsdb.stdout);
    expect(reportSection(fromEsdb.stdout)).toBe(reportSection(fromSqlite.stdout));
  }, 300_000);
});
