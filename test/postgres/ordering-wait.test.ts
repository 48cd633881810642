import { afterEach, describe, expect, it } from 'vitest';
import type pg from 'pg';
import type { Subscription } from '@clusterconf/domain';
import type { PostgresEventStore } from '@clusterconf/adapters/postgres';
import { newEvent } from '@clusterconf/adapters/testing';
import { dropSchema, postgresAvailable, uniqueSchema } from '../support/postgres.js';
import { collect, openStore, rawClient, takeEvents } from './fixtures.js';

/** A transaction that holds an id, and so holds back the ordering bound of every reader in the cluster. */
const holdTransaction = async (client: pg.Client): Promise<bigint> => {
  await client.query('begin');
  const { rows } = await client.query<{ xid: string }>('select pg_current_xact_id()::text as xid');
  return BigInt(rows[0]!.xid);
};

describe.skipIf(!postgresAvailable)('PostgreSQL ordering waits', () => {
  const schemas: string[] = [];
  const stores: PostgresEventStore[] = [];
  const clients: pg.Client[] = [];
  const subscriptions: Subscription[] = [];
  const open = async (options: Parameters<typeof openStore>[1]): Promise<PostgresEventStore> => {
    const schema = uniqueSchema('ordering');
    schemas.push(schema);
    const store = await openStore(schema, options);
    stores.push(store);
    return store;
  };
  const holder = async (): Promise<pg.Client> => {
    const client = await rawClient();
    clients.push(client);
    return client;
  };
  afterEach(async () => {
    for (const subscription of subscriptions.splice(0)) await subscription.close();
    for (const client of clients.splice(0)) await client.end();
    for (const store of stores.splice(0)) await store.close();
    for (const schema of schemas.splice(0)) await dropSchema(schema);
  });

  it('reads full pages of ordered history at once while an unrelated transaction holds newer rows back', async () => {
    const orderingWaitMs = 3000;
    const store = await open({ orderingWaitMs });
    for (let page = 0; page < 5; page++) {
      await store.appendToStream(`history-${page}`, Array.from({ length: 100 }, (_, i) => newEvent('Old', { page, i })));
    }
    await holdTransaction(await holder());
    // Appended after the hold began: its row is held back, so a read that reached it would have to wait.
    await store.appendToStream('recent', [newEvent('Recent', {})]);

    const started = performance.now();
    const subscription = store.subscribe({ pageSize: 100 });
    subscriptions.push(subscription);
    const delivered = await takeEvents(subscription, 500);
    // readAll fetches a page ahead; 400 of 500 keeps that read-ahead inside the history, off the end of the log.
    const read = await collect(store.readAll({ pageSize: 100, maxCount: 400 }));
    const elapsed = performance.now() - started;

    expect(delivered.map((e) => e.type)).toEqual(Array(500).fill('Old'));
    expect(read.map((e) => e.position)).toEqual(delivered.slice(0, 400).map((e) => e.position));
    // Ten full pages in all; waiting before each (or before each read) would take at least six orderingWaitMs.
    expect(elapsed).toBeLessThan(orderingWaitMs);
  });

  it('still reads its own writes: the last, short page waits for rows held back behind a transaction that ends', async () => {
    const store = await open({ orderingWaitMs: 30_000 });
    await store.appendToStream('early', [newEvent('Early', { i: 0 }), newEvent('Early', { i: 1 }), newEvent('Early', { i: 2 })]);
    const held = await holder();
    await holdTransaction(held);
    const mine = await store.appendToStream('mine', [newEvent('Mine', {})]);
    // The other transaction ends soon after the reads begin; they must wait for it rather than miss the append.
    const ending = new Promise((resolve) => setTimeout(resolve, 300)).then(() => held.query('commit'));
    const [log, head] = await Promise.all([collect(store.readAll({ pageSize: 2 })), store.headPosition()]);
    await ending;
    expect(log.map((e) => e.type)).toEqual(['Early', 'Early', 'Early', 'Mine']);
    expect(head).toEqual(mine.position);
  });

  it('closing a subscription ends its page\'s ordering wait at once, while the store stays open', async () => {
    const store = await open({ orderingWaitMs: 600_000 });
    await store.appendToStream('ordered', [newEvent('Ordered', {})]);
    await holdTransaction(await holder());
    await store.appendToStream('held-back', [newEvent('HeldBack', {})]);
    const subscription = store.subscribe();
    const iterator = subscription[Symbol.asyncIterator]();
    // The first page is short and finds the held-back row: it waits for its ordering.
    const first = iterator.next();
    await new Promise((resolve) => setTimeout(resolve, 200));
    const started = performance.now();
    await subscription.close();
    expect(performance.now() - started).toBeLessThan(10_000);
    expect(await first).toEqual({ done: true, value: undefined });
    // Only the subscription ended: the store still takes appends.
    await expect(store.appendToStream('after', [newEvent('After', {})])).resolves.toBeDefined();
  });

  it('close() ends an ordering wait at once; the waiting reads return what is ordered', async () => {
    const store = await open({ orderingWaitMs: 600_000 });
    await store.appendToStream('ordered', [newEvent('Ordered', {})]);
    const ordered = await store.headPosition();
    await holdTransaction(await holder());
    await store.appendToStream('held-back', [newEvent('HeldBack', {})]);
    const head = store.headPosition();
    const log = collect(store.readAll());
    // Let both reads reach their wait.
    await new Promise((resolve) => setTimeout(resolve, 200));
    const started = performance.now();
    await store.close();
    expect(await head).toEqual(ordered);
    expect((await log).map((e) => e.type)).toEqual(['Ordered']);
    expect(performance.now() - started).toBeLessThan(10_000);
  });
});
