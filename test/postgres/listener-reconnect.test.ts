import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Subscription } from '@clusterconf/domain';
import type { PostgresEventStore } from '@clusterconf/adapters/postgres';
import { newEvent } from '../contract/event-store-contract.js';
import { dropSchema, postgresAvailable, uniqueSchema } from '../support/postgres.js';
import { openStore, rawClient, takeEvents, untilCaughtUp } from './fixtures.js';

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
  let store: PostgresEventStore;
  let subscription: Subscription | undefined;

  beforeEach(async () => {
    schema = uniqueSchema('listen');
    // A poll interval far beyond the test's timeout: only a notification or a reconnect can wake the subscriber.
    store = await openStore(schema, { pollIntervalMs: 3_600_000 });
  });
  afterEach(async () => {
    await subscription?.close();
    await store.close();
    await dropSchema(schema);
  });

  it('wakes a live subscriber through NOTIFY, with one listening connection shared by all subscriptions', async () => {
    const subscriptions = [store.subscribe(), store.subscribe(), store.subscribe()];
    try {
      for (const s of subscriptions) await untilCaughtUp(s);
      const pending = subscriptions.map((s) => takeEvents(s, 1));
      await store.appendToStream('woken', [newEvent('Woken', {})]);
      for (const events of await Promise.all(pending)) expect(events.map((e) => e.type)).toEqual(['Woken']);
      expect(await listenerPids(schema)).toHaveLength(1);
    } finally {
      for (const s of subscriptions) await s.close();
    }
  });

  it('after the listening connection is killed, reconnects and the subscriber goes on from its position', async () => {
    await store.appendToStream('s', [newEvent('A', { i: 0 })]);
    subscription = store.subscribe();
    expect((await untilCaughtUp(subscription)).map((e) => e.data)).toEqual([{ i: 0 }]);
    const pending = takeEvents(subscription, 6);
    await store.appendToStream('s', [newEvent('A', { i: 1 })]);
    const [before] = await listenerPids(schema);
    await terminate(before!);
    for (let i = 2; i <= 6; i++) await store.appendToStream('s', [newEvent('A', { i })]);
    const received = await pending;
    expect(received.map((e) => (e.data as { i: number }).i)).toEqual([1, 2, 3, 4, 5, 6]);
    const after = await listenerPids(schema);
    expect(after).toHaveLength(1);
    expect(after[0]).not.toBe(before);
    // Live again through the new connection.
    const more = takeEvents(subscription, 1);
    await store.appendToStream('s', [newEvent('A', { i: 7 })]);
    expect((await more).map((e) => e.data)).toEqual([{ i: 7 }]);
  });
});
