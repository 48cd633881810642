import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type pg from 'pg';
import type { RecordedEvent, Subscription } from '@clusterconf/domain';
import { comparePositions } from '@clusterconf/domain';
import type { PostgresEventStore } from '@clusterconf/adapters/postgres';
import { newEvent } from '@clusterconf/adapters/testing';
import { dropSchema, postgresAvailable, uniqueSchema } from '../support/postgres.js';
import { appendInHeldTransaction, collect, openStore, rawClient, takeEvents, untilCaughtUp } from './fixtures.js';

const expectStrictlyIncreasing = (events: readonly RecordedEvent[]): void => {
  for (let i = 1; i < events.length; i++) expect(comparePositions(events[i - 1]!.position, events[i]!.position)).toBeLessThan(0);
};

describe.skipIf(!postgresAvailable)('PostgreSQL global order with transactions held open', () => {
  let schema: string;
  let store: PostgresEventStore;
  const clients: pg.Client[] = [];
  const subscriptions: Subscription[] = [];

  beforeEach(async () => {
    schema = uniqueSchema('held');
    // These tests hold transactions open on purpose, so reads need not wait long for appends held back behind them.
    store = await openStore(schema, { pollIntervalMs: 100, orderingWaitMs: 100 });
  });
  afterEach(async () => {
    for (const subscription of subscriptions.splice(0)) await subscription.close();
    for (const client of clients.splice(0)) await client.end();
    await store.close();
    await dropSchema(schema);
  });

  const holder = async () => {
    const client = await rawClient();
    clients.push(client);
    return client;
  };

  it('readers stop before a transaction that is still open, and take it in order once it commits', async () => {
    await store.appendToStream('before', [newEvent('Before', {})]);
    const held = await holder();
    const heldXid = await appendInHeldTransaction(held, schema, 'held', [newEvent('Held', { n: 1 }), newEvent('Held', { n: 2 })]);
    const later = await store.appendToStream('later', [newEvent('Later', {}), newEvent('Later', {})]);
    // The later append committed first but carries a larger transaction id, so it sorts after the held rows.
    expect(later.position.commit).toBeGreaterThan(heldXid);
    expect((await collect(store.readAll())).map((e) => e.type)).toEqual(['Before']);
    expect((await store.headPosition())!.commit).toBeLessThan(heldXid);
    // A writer still reads its own stream at once: only the global log waits.
    expect((await collect(store.readStream('later'))).length).toBe(2);

    const subscription = store.subscribe({ pageSize: 1 });
    subscriptions.push(subscription);
    // The subscriber reaches its live state while the transaction is open, and has passed only what precedes it.
    const first = await untilCaughtUp(subscription);
    expect(first.map((e) => e.type)).toEqual(['Before']);
    await held.query('commit');
    const rest = await takeEvents(subscription, 4);
    const received = [...first, ...rest];
    expect(received.map((e) => e.type)).toEqual(['Before', 'Held', 'Held', 'Later', 'Later']);
    expect(received.map((e) => e.position.commit)[1]).toBe(heldXid);
    expectStrictlyIncreasing(received);
    expect(received.map((e) => e.position)).toEqual((await collect(store.readAll())).map((e) => e.position));
  });

  it('a rolled-back held transaction leaves no gap that blocks readers', async () => {
    const held = await holder();
    await appendInHeldTransaction(held, schema, 'aborted', [newEvent('Aborted', {})]);
    await store.appendToStream('kept', [newEvent('Kept', {})]);
    expect(await collect(store.readAll())).toEqual([]);
    await held.query('rollback');
    expect((await collect(store.readAll())).map((e) => e.type)).toEqual(['Kept']);
  });

  it('a subscriber closed and reopened around a held transaction misses nothing and repeats nothing', async () => {
    await store.appendToStream('a', [newEvent('A', { i: 0 })]);
    const held = await holder();
    await appendInHeldTransaction(held, schema, 'h', [newEvent('H', { i: 1 })]);
    await store.appendToStream('a', [newEvent('A', { i: 2 })]);
    const firstSubscription = store.subscribe();
    const seen = await takeEvents(firstSubscription, 1);
    await firstSubscription.close();
    await held.query('commit');
    await store.appendToStream('a', [newEvent('A', { i: 3 })]);
    const reopened = store.subscribe({ after: seen[0]!.position });
    subscriptions.push(reopened);
    const rest = await takeEvents(reopened, 3);
    expect([...seen, ...rest].map((e) => (e.data as { i: number }).i)).toEqual([0, 1, 2, 3]);
    expectStrictlyIncreasing([...seen, ...rest]);
  });

  it('8 writers × 1000 appends with held and rolled-back transactions mixed in: a live subscriber gets each event once, in order, equal to readAll', async () => {
    const writers = 8;
    const appendsPerWriter = 1000;
    const holds = 12;
    let appended = 0;
    const progress = new Set<() => void>();
    const afterMoreAppends = (count: number) =>
      new Promise<void>((resolve) => {
        const target = appended + count;
        const check = () => {
          if (appended < target && !writersDone) return;
          progress.delete(check);
          resolve();
        };
        progress.add(check);
        check();
      });
    let writersDone = false;

    const subscription = store.subscribe({ pageSize: 100 });
    subscriptions.push(subscription);
    const committedHeld = Math.ceil(holds / 2);
    const total = writers * appendsPerWriter + committedHeld;
    const consuming = takeEvents(subscription, total);

    const writing = Promise.all(
      Array.from({ length: writers }, async (_, w) => {
        for (let i = 0; i < appendsPerWriter; i++) {
          await store.appendToStream(i % 10 === 0 ? 'shared' : `writer-${w}`, [newEvent('Written', { w, i })]);
          appended++;
          for (const check of [...progress]) check();
        }
      }),
    ).finally(() => {
      writersDone = true;
      for (const check of [...progress]) check();
    });
    const holding = (async () => {
      const client = await holder();
      for (let h = 0; h < holds; h++) {
        await appendInHeldTransaction(client, schema, `held-${h}`, [newEvent('Held', { h })]);
        // Let the concurrent writers commit a few hundred later positions while this one stays open.
        await afterMoreAppends(100);
        await client.query(h % 2 === 0 ? 'commit' : 'rollback');
      }
    })();
    await Promise.all([writing, holding]);
    const received = await consuming;

    expect(new Set(received.map((e) => e.metadata.eventId)).size).toBe(total);
    expectStrictlyIncreasing(received);
    const log = await collect(store.readAll({ pageSize: 777 }));
    expect(received.map((e) => e.position)).toEqual(log.map((e) => e.position));
    expect(log.filter((e) => e.type === 'Held').map((e) => (e.data as { h: number }).h)).toEqual([0, 2, 4, 6, 8, 10]);
    const shared = await collect(store.readStream('shared'));
    expect(shared.map((e) => e.streamRevision)).toEqual(Array.from({ length: writers * 100 }, (_, i) => BigInt(i)));
  });
});
