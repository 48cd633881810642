import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Subscription } from '@clusterconf/domain';
import type { PostgresEventStore } from '@clusterconf/adapters/postgres';
import { newEvent } from '@clusterconf/adapters/testing';
import { dropSchema, postgresAvailable, uniqueSchema } from '../support/postgres.js';
import { collect, openStore, rawClient, takeEvents, untilCaughtUp } from './fixtures.js';

/** The backends of a store's LISTEN connection, found by the application name the store gives it. */
const listenerPids = async (schema: string): Promise<number[]> => {
  const client = await rawClient();
  try {
    const result = await client.query<{ pid: number }>('select pid from pg_stat_activity where application_name = $1', [`clusterconf-listen:${schema}`]);
    return result.rows.map((row) => row.pid);
  } finally {
    await client.end();
  }
};

const terminate = async (pid: number): Promise<void> => {
  const client = await rawClient();
  try {
    await client.query('select pg_terminate_backend($1)', [pid]);
  } finally {
    await client.end();
  }
};

describe.skipIf(!postgresAvailable)('PostgreSQL LISTEN/NOTIFY wake-ups', () => {
  let schema: string;
  let reader: PostgresEventStore;
  let writer: PostgresEventStore;
  let readerListener: number;
  let subscription: Subscription | undefined;

  beforeEach(async () => {
    schema = uniqueSchema('listen');
    // A poll interval far beyond the test's timeout, and appends made through another store (another process, as far
    // as the reader can tell): only a NOTIFY or a reconnect of the listener can wake the reader's subscribers.
    reader = await openStore(schema, { pollIntervalMs: 3_600_000 });
    readerListener = (await listenerPids(schema))[0]!;
    writer = await openStore(schema);
  });
  afterEach(async () => {
    await subscription?.close();
    await reader.close();
    await writer.close();
    await dropSchema(schema);
  });

  it('wakes live subscribers through NOTIFY, with one listening connection per store shared by its subscriptions', async () => {
    const subscriptions = [reader.subscribe(), reader.subscribe(), reader.subscribe()];
    try {
      for (const s of subscriptions) await untilCaughtUp(s);
      const pending = subscriptions.map((s) => takeEvents(s, 1));
      await writer.appendToStream('woken', [newEvent('Woken', {})]);
      for (const events of await Promise.all(pending)) expect(events.map((e) => e.type)).toEqual(['Woken']);
      expect(await listenerPids(schema)).toHaveLength(2);
    } finally {
      for (const s of subscriptions) await s.close();
    }
  });

  it('after the listening connection is killed, reconnects and the subscriber goes on from its position', async () => {
    await writer.appendToStream('s', [newEvent('A', { i: 0 })]);
    subscription = reader.subscribe();
    expect((await untilCaughtUp(subscription)).map((e) => e.data)).toEqual([{ i: 0 }]);
    const pending = takeEvents(subscription, 6);
    await writer.appendToStream('s', [newEvent('A', { i: 1 })]);
    await terminate(readerListener);
    for (let i = 2; i <= 6; i++) await writer.appendToStream('s', [newEvent('A', { i })]);
    const received = await pending;
    expect(received.map((e) => (e.data as { i: number }).i)).toEqual([1, 2, 3, 4, 5, 6]);
    // Live again through a new connection: the next append arrives by NOTIFY alone.
    await untilCaughtUp(subscription);
    const more = takeEvents(subscription, 1);
    await writer.appendToStream('s', [newEvent('A', { i: 7 })]);
    expect((await more).map((e) => e.data)).toEqual([{ i: 7 }]);
    const listeners = await listenerPids(schema);
    expect(listeners).toHaveLength(2);
    expect(listeners).not.toContain(readerListener);
  });
});

describe.skipIf(!postgresAvailable)('PostgreSQL appends when the connection breaks', () => {
  it('an append whose connection is killed fails with StoreUnavailableError, and its retry stores the events once', async () => {
    const schema = uniqueSchema('broken');
    const store = await openStore(schema, { poolSize: 1 });
    try {
      await store.appendToStream('s', [newEvent('A', { i: 0 })]);
      const client = await rawClient();
      try {
        // Lock the stream so the next append waits inside the server, then kill that append's backend.
        await client.query('begin');
        await client.query(`select * from "${schema}".streams where stream_id = 's' for update`);
        const event = newEvent('A', { i: 1 });
        const append = store.appendToStream('s', [event]).then(() => undefined, (e: unknown) => e);
        let victim: number | undefined;
        while (victim === undefined) {
          const waiting = await client.query<{ pid: number }>(
            "select pid from pg_stat_activity where wait_event_type = 'Lock' and query like '%append_events%' and pid <> pg_backend_pid()",
          );
          victim = waiting.rows[0]?.pid;
        }
        await client.query('select pg_terminate_backend($1)', [victim]);
        expect(await append).toMatchObject({ code: 'STORE_UNAVAILABLE' });
        await client.query('rollback');
        await store.appendToStream('s', [event]);
        await store.appendToStream('s', [event]);
      } finally {
        await client.end();
      }
      expect((await collect(store.readStream('s'))).map((e) => e.data)).toEqual([{ i: 0 }, { i: 1 }]);
    } finally {
      await store.close();
      await dropSchema(schema);
    }
  });
});
