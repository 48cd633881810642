import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import pg from 'pg';
import * as t from 'io-ts';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createEventRegistry, defineEvent, formatPosition, newEventId, type EventStore, type Position } from '@clusterconf/domain';
import { createProjectionRunner, defineProjection, ProjectionFailedError, type ProjectionRunner, type ReadModelStore } from '@clusterconf/projections';
import { dropSchema, postgresAvailable, postgresConfig, postgresUrl, uniqueSchema } from '../support/postgres.js';
import { openStores, type StoreLocation } from './fixtures/stores.js';

/** What the tests use of a runner; `ProjectionRunner<Event>` itself is invariant in its event type. */
type Running = Pick<ProjectionRunner, 'start' | 'stop' | 'status' | 'waitFor' | 'deadLetters'>;

const registry = createEventRegistry([
  defineEvent('Counted', t.type({ key: t.string, amount: t.number })),
  defineEvent('Noted', t.type({ text: t.string })),
]);

/** Handles the type of the row that gets corrupted. */
const notes = defineProjection(registry, {
  name: 'notes',
  version: 1,
  handlers: {
    Noted: ({ data }, ops) => ops.update<{ texts: string[] }>('log', 'all', (current) => ({ texts: [...(current?.texts ?? []), data.text] })),
  },
});

/** Handles another type only: a corrupt row of a type it does not read must not touch it. */
const counts = defineProjection(registry, {
  name: 'counts',
  version: 1,
  handlers: {
    Counted: ({ data }, ops) => ops.update<{ sum: number }>('totals', data.key, (current) => ({ sum: (current?.sum ?? 0) + data.amount })),
  },
});

const metadata = () => ({ eventId: newEventId(), occurredAt: '2020-11-23T09:00:00.000Z', correlationId: 'c', causationId: 'c', schemaVersion: 1 });
const append = async (store: EventStore, streamId: string, type: string, data: unknown): Promise<Position> =>
  (await store.appendToStream(streamId, [{ type, data, metadata: metadata() }])).position;

/** Rewrites one column of a stored row behind the store's back, as a hand edit or a faulty migration would. */
type Corrupt = (column: 'data' | 'metadata', value: string, streamId: string, revision: bigint) => Promise<void>;

interface Backend {
  readonly location: StoreLocation;
  readonly corrupt: Corrupt;
}

const sqliteBackend = (dir: string): Backend => {
  const eventsPath = path.join(dir, 'events.db');
  return {
    location: { backend: 'sqlite', eventsPath, readModelsPath: path.join(dir, 'read-models.db') },
    corrupt: async (column, value, streamId, revision) => {
      const db = new Database(eventsPath);
      try {
        db.prepare(`update events set ${column} = ? where stream_id = ? and stream_revision = ?`).run(value, streamId, revision);
      } finally {
        db.close();
      }
    },
  };
};

const postgresBackend = (schema: string): Backend => ({
  location: { backend: 'postgres', connectionString: postgresUrl, schema },
  corrupt: async (column, value, streamId, revision) => {
    const client = new pg.Client(postgresConfig);
    await client.connect();
    try {
      await client.query(`update "${schema}".events set ${column} = $1 where stream_id = $2 and stream_revision = $3`, [value, streamId, revision.toString()]);
    } finally {
      await client.end();
    }
  },
});

const corruptions = [
  { what: 'data that is not JSON', column: 'data', value: '{"cut": ' },
  { what: 'metadata that is not JSON', column: 'metadata', value: 'nonsense' },
] as const;

/** How long a projection gets to reach the state a test expects; the logs here are a dozen events. */
const SETTLES_MS = 8_000;

const suite = (backend: () => Backend): void => {
  let events: EventStore;
  let readModels: ReadModelStore;
  let runner: Running | undefined;
  beforeEach(async () => {
    ({ events, readModels } = await openStores(backend().location));
  });
  afterEach(async () => {
    await runner?.stop();
    runner = undefined;
    await readModels.close();
    await events.close();
  });

  /** A log with one `Noted` row to corrupt in the middle of `Counted` and `Noted` events of other streams. */
  const writeLog = async () => {
    await append(events, 'count-1', 'Counted', { key: 'a', amount: 1 });
    await append(events, 'notes-1', 'Noted', { text: 'first' });
    await append(events, 'count-1', 'Counted', { key: 'b', amount: 2 });
    const broken = await append(events, 'notes-2', 'Noted', { text: 'broken' });
    await append(events, 'count-2', 'Counted', { key: 'a', amount: 4 });
    await append(events, 'notes-3', 'Noted', { text: 'after' });
    const head = await append(events, 'count-2', 'Counted', { key: 'b', amount: 8 });
    return { broken, head };
  };

  const start = async (deadLetters: 'stop' | 'record'): Promise<Running> => {
    runner = createProjectionRunner({ eventStore: events, readModelStore: readModels, registry, projections: [notes, counts], deadLetters, batchSize: 2, retry: { initialDelayMs: 50, maxDelayMs: 200 } });
    await runner.start();
    return runner;
  };

  const statusOf = async (running: Running, namespace: string) => (await running.status()).find((s) => s.namespace === namespace)!;

  /** The projection that does not read the corrupt row's type is live and complete. */
  const expectCountsComplete = async (running: Running, head: Position): Promise<void> => {
    await expect
      .poll(async () => {
        const status = await statusOf(running, 'counts_v1');
        return [status.state, status.position && formatPosition(status.position)];
      }, { timeout: SETTLES_MS })
      .toEqual(['live', formatPosition(head)]);
    expect(await readModels.readDocument('counts_v1', 'totals', 'a')).toEqual({ sum: 5 });
    expect(await readModels.readDocument('counts_v1', 'totals', 'b')).toEqual({ sum: 10 });
  };

  for (const corruption of corruptions) {
    it(`${corruption.what}: only the projection handling its type fails, naming projection, position, stream and type`, async () => {
      const { broken, head } = await writeLog();
      await backend().corrupt(corruption.column, corruption.value, 'notes-2', 0n);
      const running = await start('stop');
      await expect.poll(async () => (await statusOf(running, 'notes_v1')).state, { timeout: SETTLES_MS }).toBe('failed');
      const error = (await statusOf(running, 'notes_v1')).error as ProjectionFailedError;
      expect(error).toBeInstanceOf(ProjectionFailedError);
      expect(error).toMatchObject({ projection: 'notes', version: 1, position: broken, streamId: 'notes-2', eventType: 'Noted' });
      expect(error.message).toContain(formatPosition(broken));
      expect(error.message).toMatch(/"notes".*"Noted".*"notes-2"/);
      expect((error.cause as { code?: string }).code).toBe('CORRUPT_EVENT');
      // It stopped at the row: what precedes it is committed, nothing after it is applied.
      expect(await readModels.readDocument('notes_v1', 'log', 'all')).toEqual({ texts: ['first'] });
      await expectCountsComplete(running, head);
      expect((await statusOf(running, 'notes_v1')).state).toBe('failed');
    });

    it(`${corruption.what}: under deadLetters 'record' it becomes a CORRUPT_EVENT dead letter and both projections go on`, async () => {
      const { broken, head } = await writeLog();
      await backend().corrupt(corruption.column, corruption.value, 'notes-2', 0n);
      const running = await start('record');
      await running.waitFor(head, { timeoutMs: SETTLES_MS });
      const letters = await running.deadLetters('notes');
      expect(letters).toHaveLength(1);
      expect(letters[0]).toMatchObject({ errorCode: 'CORRUPT_EVENT', event: { streamId: 'notes-2', streamRevision: 0n, type: 'Noted', position: broken } });
      expect(await readModels.readDocument('notes_v1', 'log', 'all')).toEqual({ texts: ['first', 'after'] });
      expect(await statusOf(running, 'notes_v1')).toMatchObject({ state: 'live', deadLettersRecorded: 1 });
      expect(await running.deadLetters('counts')).toEqual([]);
      await expectCountsComplete(running, head);
    });
  }

  it('counts events of a type the registry does not know in status().unregisteredTypes, and reads past them', async () => {
    await append(events, 'count-1', 'Counted', { key: 'a', amount: 1 });
    await append(events, 'mystery-1', 'Mystery', { what: 1 });
    await append(events, 'mystery-2', 'Mystery', { what: 2 });
    const head = await append(events, 'notes-1', 'Noted', { text: 'last' });
    const running = await start('stop');
    await running.waitFor(head, { timeoutMs: SETTLES_MS });
    for (const status of await running.status()) expect([status.namespace, status.unregisteredTypes]).toEqual([status.namespace, { Mystery: 2 }]);
    expect(await readModels.readDocument('notes_v1', 'log', 'all')).toEqual({ texts: ['last'] });
  });
};

describe('rows that cannot be read, and unknown types, on SQLite', () => {
  let dir: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'clusterconf-corrupt-'));
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));
  suite(() => sqliteBackend(dir));
});

describe.skipIf(!postgresAvailable)('rows that cannot be read, and unknown types, on PostgreSQL', () => {
  let schema: string;
  beforeEach(() => {
    schema = uniqueSchema('rm_corrupt');
  });
  afterEach(() => dropSchema(schema));
  suite(() => postgresBackend(schema));
});
