import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type pg from 'pg';
import type { Position, Subscription, SubscriptionMessage } from '@clusterconf/domain';
import { comparePositions } from '@clusterconf/domain';
import type { PostgresEventStore } from '@clusterconf/adapters/postgres';
import { newEvent } from '@clusterconf/adapters/testing';
import { dropSchema, postgresAvailable, uniqueSchema } from '../support/postgres.js';
import { appendInHeldTransaction, collect, countingPool, type CountingPool, eventsIn, messagesUntil, openStore, rawClient } from './fixtures.js';

const checkpointsIn = (messages: readonly SubscriptionMessage[]): Position[] =>
  messages.flatMap((m) => (m.kind === 'checkpoint' ? [m.position] : []));

describe.skipIf(!postgresAvailable)('PostgreSQL filters run in the database', () => {
  let schema: string;
  let counting: CountingPool;
  let store: PostgresEventStore;
  const clients: pg.Client[] = [];
  const subscriptions: Subscription[] = [];

  beforeEach(async () => {
    schema = uniqueSchema('filtered');
    counting = countingPool();
    store = await openStore(schema, { pool: counting.pool, pollIntervalMs: 50, orderingWaitMs: 100 });
  });
  afterEach(async () => {
    for (const subscription of subscriptions.splice(0)) await subscription.close();
    for (const client of clients.splice(0)) await client.end();
    await store.close();
    await counting.pool.end();
    await dropSchema(schema);
  });

  /** 300 events on two streams: every 30th is `Wanted` on `conf-a`, the rest `Other` on `noise-b`. */
  const fill = async () => {
    for (let i = 0; i < 300; i += 30) {
      await store.appendToStream('conf-a', [newEvent('Wanted', { i })]);
      await store.appendToStream('noise-b', Array.from({ length: 29 }, (_, k) => newEvent('Other', { i: i + 1 + k })));
    }
  };

  /** The rows the server sends for `read`, counted at the pool. */
  const rowsFor = async <T>(read: () => Promise<T>): Promise<{ result: T; rows: number }> => {
    const before = counting.rowsReceived();
    const result = await read();
    return { result, rows: counting.rowsReceived() - before };
  };

  it('readAll ships only the matching rows, for a type filter (also with orTypesNotIn), a prefix filter and both', async () => {
    await fill();
    const all = await rowsFor(() => collect(store.readAll()));
    expect(all.result).toHaveLength(300);
    expect(all.rows).toBeGreaterThanOrEqual(300);

    for (const filter of [
      { eventTypes: ['Wanted'] },
      { eventTypes: [], orTypesNotIn: ['Other'] },
      { streamPrefixes: ['conf-'] },
      { eventTypes: ['Wanted'], streamPrefixes: ['conf-'] },
      { eventTypes: ['Rare'], orTypesNotIn: ['Rare', 'Other'], streamPrefixes: ['conf-'] },
    ]) {
      const { result, rows } = await rowsFor(() => collect(store.readAll({ filter, pageSize: 4 })));
      expect(result.map((e) => (e.data as { i: number }).i)).toEqual([0, 30, 60, 90, 120, 150, 180, 210, 240, 270]);
      // Three full pages and a short one: the ten matches, and nothing of the 290 others.
      expect(rows).toBeLessThanOrEqual(12);
    }
    expect((await rowsFor(() => collect(store.readAll({ filter: { eventTypes: ['Wanted'], streamPrefixes: ['noise-'] } })))).result).toEqual([]);
  });

  it('a filtered subscription passes the unwanted rows without receiving them, and checkpoints at the head', async () => {
    await fill();
    const head = await store.headPosition();
    const { result: messages, rows } = await rowsFor(async () => {
      const subscription = store.subscribe({ filter: { eventTypes: ['Wanted'] }, pageSize: 4 });
      subscriptions.push(subscription);
      return messagesUntil(subscription[Symbol.asyncIterator](), (m) => m.kind === 'caughtUp');
    });
    expect(eventsIn(messages).map((e) => (e.data as { i: number }).i)).toEqual([0, 30, 60, 90, 120, 150, 180, 210, 240, 270]);
    expect(checkpointsIn(messages).at(-1)).toEqual(head);
    expect(messages.at(-1)).toEqual({ kind: 'caughtUp', position: head });
    // Matches, a short page's row, and the few rows of head and ordering queries: far below the 300 of the log.
    expect(rows).toBeLessThan(40);
  });

  it('a short filtered page never checkpoints past a transaction still open, and delivers its match once it commits', async () => {
    await store.appendToStream('conf-a', [newEvent('Wanted', { n: 1 })]);
    const held = await rawClient();
    clients.push(held);
    const heldXid = await appendInHeldTransaction(held, schema, 'conf-held', [newEvent('Other', {}), newEvent('Wanted', { n: 2 })]);
    // Unwanted rows committed after the held transaction began: they sort after it, so nothing may pass over them yet.
    await store.appendToStream('noise-b', [newEvent('Other', {}), newEvent('Other', {})]);

    const subscription = store.subscribe({ filter: { eventTypes: ['Wanted'] }, pageSize: 10 });
    subscriptions.push(subscription);
    const iterator = subscription[Symbol.asyncIterator]();
    const first = await messagesUntil(iterator, (m) => m.kind === 'caughtUp');
    expect(eventsIn(first).map((e) => e.data)).toEqual([{ n: 1 }]);
    for (const position of checkpointsIn(first)) expect(position.commit).toBeLessThan(heldXid);

    await held.query('commit');
    const head = await store.headPosition();
    const rest = await messagesUntil(iterator, (m) => m.kind === 'checkpoint' && comparePositions(m.position, head!) === 0);
    expect(eventsIn(rest).map((e) => ({ data: e.data, commit: e.position.commit }))).toEqual([{ data: { n: 2 }, commit: heldXid }]);
  });
});
