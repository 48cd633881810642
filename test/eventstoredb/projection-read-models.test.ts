import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import pg from 'pg';
import { afterEach, describe, expect, it } from 'vitest';
import { parsePosition, type Position } from '@clusterconf/domain';
import { createProjectionRunner, type ReadModelStore } from '@clusterconf/projections';
import { SqliteReadModelStore } from '@clusterconf/adapters/sqlite';
import { PostgresReadModelStore } from '@clusterconf/adapters/postgres';
import { dropSchema, postgresAvailable, postgresConfig, postgresUrl, uniqueSchema } from '../support/postgres.js';
import { seedTally, tallyEvents, tallyProjection } from '../projections/fixtures/tally-projection.js';
import { startTestServerStore, type TestServerStore } from './test-server-store.js';

/** totals/k<j> after seeding `first` then `second` events: amounts 1…n per seed, amount a under key k((a - 1) % 10). */
const expectedTotals = (first: number, second: number) =>
  Array.from({ length: 10 }, (_, j) => {
    const amounts = [first, second].flatMap((count) => Array.from({ length: count }, (_, i) => i + 1).filter((amount) => (amount - 1) % 10 === j));
    return { key: `k${j}`, sum: amounts.reduce((a, b) => a + b, 0), events: amounts.length };
  });

/** Runs the tally projection from the adapter (on the TEST SERVER) into `readModels` through a connection loss. */
const projectThroughReconnect = async (running: TestServerStore, readModels: ReadModelStore): Promise<Position> => {
  const head = await seedTally(running.store, 50, 'first');
  const runner = createProjectionRunner({ eventStore: running.store, readModelStore: readModels, registry: tallyEvents, projections: [tallyProjection(1)], batchSize: 7 });
  await runner.start();
  try {
    await runner.waitFor(head, { timeoutMs: 20_000 });
    // The server goes away under the live subscription and comes back with its data; appends resume after it.
    await running.server.stop();
    await running.server.start();
    const { reopen } = running;
    const writer = await reopen();
    const last = await seedTally(writer, 30, 'second');
    await runner.waitFor(last, { timeoutMs: 20_000 });
    return last;
  } finally {
    await runner.stop();
  }
};

const checkTotals = async (readModels: ReadModelStore, events: number) => {
  for (const { key, sum, events: count } of expectedTotals(50, 30)) {
    expect(await readModels.readDocument('tally_v1', 'totals', key)).toEqual({ sum, events: count });
  }
  const applied = await readModels.listDocuments('tally_v1', 'applied', { limit: 1000 });
  expect(applied.map(({ document }) => document.count)).toEqual(Array.from({ length: events }, () => 1));
};

// The events come from the EventStoreDB adapter on the in-process TEST SERVER, whose positions have distinct
// commit and prepare parts, as EventStoreDB's do.
describe('projections from the EventStoreDB adapter into read-model stores', () => {
  let running: TestServerStore | undefined;
  const dirs: string[] = [];
  afterEach(async () => {
    await running?.cleanup();
    running = undefined;
    for (const dir of dirs.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
  });

  it('SQLite: every event applied once across a connection loss, checkpoint stored as EventStoreDB commit/prepare text', async () => {
    running = await startTestServerStore({}, { reconnect: { initialDelayMs: 20, maxDelayMs: 200 } });
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'clusterconf-esdb-rm-'));
    dirs.push(dir);
    const file = path.join(dir, 'read-models.db');
    const readModels = await SqliteReadModelStore.open({ path: file });
    try {
      const last = await projectThroughReconnect(running, readModels);
      await checkTotals(readModels, 80);
      const db = new Database(file, { readonly: true });
      try {
        const stored = db.prepare("SELECT position FROM read_model_checkpoints WHERE namespace = 'tally_v1'").pluck().get() as string;
        expect(stored).toBe(`${last.commit}/${last.prepare}`);
        expect(parsePosition(stored)).toEqual(last);
        expect(last.commit).not.toBe(last.prepare);
      } finally {
        db.close();
      }
      const applied = await readModels.listDocuments('tally_v1', 'applied', { limit: 1000 });
      expect(applied.length).toBe(80);
      for (const { document } of applied) expect(document).toMatchObject({ count: 1 });
    } finally {
      await readModels.close();
    }
  });

  describe.skipIf(!postgresAvailable)('PostgreSQL', () => {
    it('every event applied once across a connection loss, checkpoint stored as EventStoreDB commit/prepare text', async () => {
      running = await startTestServerStore({}, { reconnect: { initialDelayMs: 20, maxDelayMs: 200 } });
      const schema = uniqueSchema('esdb_rm');
      const readModels = await PostgresReadModelStore.open({ connectionString: postgresUrl, schema, poolSize: 3 });
      try {
        const last = await projectThroughReconnect(running, readModels);
        await checkTotals(readModels, 80);
        const client = new pg.Client(postgresConfig);
        await client.connect();
        try {
          const { rows } = await client.query(`select position from "${schema}".read_model_checkpoints where namespace = $1`, ['tally_v1']);
          expect(rows[0]?.position).toBe(`${last.commit}/${last.prepare}`);
        } finally {
          await client.end();
        }
      } finally {
        await readModels.close();
        await dropSchema(schema);
      }
    });
  });
});
