import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import pg from 'pg';
import type { LogProgress, Position } from '@clusterconf/domain';
import type { PostgresEventStore } from '@clusterconf/adapters/postgres';
import { newEvent } from '@clusterconf/adapters/testing';
import { dropSchema, postgresAvailable, postgresConfig, uniqueSchema } from '../support/postgres.js';
import { appendInHeldTransaction, appendInOpenTransaction, collect, openStore, rawClient } from './fixtures.js';

/** Whether this server lets a test prepare a transaction (max_prepared_transactions above 0); never changed here. */
const preparedTransactionsAllowed: boolean = postgresAvailable && (await (async () => {
  const client = await rawClient();
  try {
    const { rows } = await client.query<{ max_prepared_transactions: string }>('show max_prepared_transactions');
    return Number(rows[0]!.max_prepared_transactions) > 0;
  } finally {
    await client.end();
  }
})());
if (postgresAvailable && !preparedTransactionsAllowed) {
  console.warn('\n!!! SKIPPING the prepared-transaction heldBy case: max_prepared_transactions is 0 on this server, so no ' +
    'transaction can be prepared; the tests do not change server settings.\n');
}

// The bound is cluster-wide: other suites' transactions held open on the same server can be the holder for a while,
// so the holder cases wait (up to 20 s) for theirs to be the one reported rather than expecting it on the first call.
const POLL = { timeout: 20_000, interval: 100 } as const;

describe.skipIf(!postgresAvailable)('PostgreSQL progressAfter', () => {
  let schema: string;
  let store: PostgresEventStore;
  const clients: pg.Client[] = [];

  beforeEach(async () => {
    schema = uniqueSchema('progress');
    // Reads reaching rows held back behind the test's open transactions give up waiting for them quickly.
    store = await openStore(schema, { pollIntervalMs: 100, orderingWaitMs: 100 });
  });
  afterEach(async () => {
    for (const client of clients.splice(0)) await client.end();
    await store.close();
    await dropSchema(schema);
  });

  const holder = async (database?: string) => {
    const client = database === undefined ? await rawClient() : new pg.Client({ ...postgresConfig, database });
    if (database !== undefined) await client.connect();
    clients.push(client);
    return client;
  };
  const e = (n: number) => newEvent('E', { n });
  const progress = (after: Position | undefined): Promise<LogProgress> => store.progressAfter(after);

  it('after rolled-back appends and transactions committing out of sequence order, counts what a reader has not read past its checkpoint', async () => {
    await store.appendToStream('early', [e(0), e(1), e(2)]);
    // Rolled-back appends leave holes in the sequence numbers.
    const rollingBack = await holder();
    for (let i = 0; i < 2; i++) {
      await appendInHeldTransaction(rollingBack, schema, 'rolled-back', [e(90), e(91)]);
      await rollingBack.query('rollback');
    }
    await store.appendToStream('early', [e(3)]);
    // `first` takes its transaction id before `second`, its rows take later sequence numbers, and it commits last.
    const first = await holder();
    await first.query('begin');
    await first.query('select pg_current_xact_id()');
    const second = await holder();
    const secondXid = await appendInHeldTransaction(second, schema, 'second', [e(7), e(8)]);
    const firstXid = await appendInOpenTransaction(first, schema, 'first', [e(4), e(5), e(6)]);
    expect(firstXid).toBeLessThan(secondXid);
    await second.query('commit');
    await store.appendToStream('later', [e(9), e(10)]);

    // A reader reads what is ordered and stops before `first`, which still runs.
    const checkpoint = (await collect(store.readAll())).at(-1)?.position;
    const whileFirstRuns = await progress(checkpoint);
    await first.query('commit');
    const ordered = async () => (await collect(store.readAll())).length;
    await expect.poll(ordered, POLL).toBe(11);
    const notYetRead = await collect(store.readAll({ after: checkpoint }));
    // While `first` ran its rows were not committed; everything else the reader had not read past was, held back or not.
    expect(notYetRead.filter((event) => event.streamId === 'first').length).toBe(3);
    expect(whileFirstRuns).toMatchObject({ eventsAfter: notYetRead.length - 3, eventsAfterIs: 'exact' });
    expect(await progress(checkpoint)).toMatchObject({ eventsAfter: notYetRead.length, eventsAfterIs: 'exact' });

    const all = await collect(store.readAll());
    expect(all.map((event) => event.data)).toEqual(Array.from({ length: 11 }, (_, n) => ({ n })));
    // Sequence numbers are neither dense nor in log order here, so no difference of them is a count.
    const dropsAt = all.findIndex((event, i) => i > 0 && event.position.prepare < all[i - 1]!.position.prepare);
    expect(all[dropsAt]!.streamId).toBe('second');
    const head = all[10]!.position;
    expect(all.filter((event, i) => Number(head.prepare - event.position.prepare) !== 10 - i).length).toBeGreaterThan(0);
    expect(await progress(undefined)).toEqual({ head, eventsAfter: 11, eventsAfterIs: 'exact' });
    for (const [i, event] of all.entries()) expect(await progress(event.position)).toEqual({ head, eventsAfter: 10 - i, eventsAfterIs: 'exact' });
  });

  it('names a transaction held open in another database while a later append is committed but undelivered, and not once it ends', async () => {
    await store.appendToStream('before', [e(0)]);
    const checkpoint = (await collect(store.readAll())).at(-1)!.position;
    const elsewhere = await holder('postgres');
    await elsewhere.query('begin');
    const { rows } = await elsewhere.query<{ xid: string; pid: number; started: Date }>(
      'select pg_current_xact_id()::text as xid, pg_backend_pid() as pid, now() as started',
    );
    const held = rows[0]!;
    const later = await store.appendToStream('later', [e(1)]);
    expect(later.position.commit).toBeGreaterThan(BigInt(held.xid));

    await expect.poll(async () => (await progress(checkpoint)).heldBy?.transactionId, POLL).toBe(held.xid);
    const whileHeld = await progress(checkpoint);
    // now() in a transaction is its start, which is what the server reports for the holder.
    expect(whileHeld.heldBy).toEqual({ transactionId: held.xid, since: held.started.toISOString(), database: 'postgres', pid: held.pid, preparedAs: undefined });
    // Committed, counted, and still not delivered: the head readers reach stays before it.
    expect(whileHeld).toMatchObject({ head: checkpoint, eventsAfter: 1, eventsAfterIs: 'exact' });
    expect(await collect(store.readAll({ after: checkpoint }))).toEqual([]);
    // A checkpoint at the held event itself (an append's own position) has nothing held back after it.
    expect(await progress(later.position)).toEqual({ head: checkpoint, eventsAfter: 0, eventsAfterIs: 'exact' });

    await elsewhere.query('rollback');
    await expect.poll(async () => (await collect(store.readAll({ after: checkpoint }))).map((event) => event.position), POLL).toEqual([later.position]);
    await expect.poll(async () => (await progress(checkpoint)).heldBy, POLL).toBeUndefined();
    expect(await progress(checkpoint)).toEqual({ head: later.position, eventsAfter: 1, eventsAfterIs: 'exact' });
    expect(await progress(later.position)).toEqual({ head: later.position, eventsAfter: 0, eventsAfterIs: 'exact' });
  });

  it('reports nothing held while a transaction runs that holds back no committed event after the checkpoint', async () => {
    await store.appendToStream('before', [e(0)]);
    const checkpoint = (await collect(store.readAll())).at(-1)!.position;
    const elsewhere = await holder('postgres');
    await elsewhere.query('begin');
    await elsewhere.query('select pg_current_xact_id()');
    // Past the age below which a holder is taken for a write in flight, so only the missing rows keep it unreported.
    await new Promise((resolve) => setTimeout(resolve, 1_200));
    expect(await progress(checkpoint)).toEqual({ head: checkpoint, eventsAfter: 0, eventsAfterIs: 'exact' });
  });

  it.skipIf(!preparedTransactionsAllowed)('names a prepared transaction by its global id, with no backend to terminate', async () => {
    await store.appendToStream('before', [e(0)]);
    const checkpoint = (await collect(store.readAll())).at(-1)!.position;
    const gid = `clusterconf-progress-${schema}`;
    const preparing = await holder();
    await preparing.query('begin');
    const { rows } = await preparing.query<{ xid: string }>('select pg_current_xact_id()::text as xid');
    await preparing.query(`prepare transaction '${gid}'`);
    try {
      await store.appendToStream('later', [e(1)]);
      await expect.poll(async () => (await progress(checkpoint)).heldBy?.transactionId, POLL).toBe(rows[0]!.xid);
      expect((await progress(checkpoint)).heldBy).toMatchObject({ database: postgresConfig.database, pid: undefined, preparedAs: gid });
    } finally {
      await preparing.query(`rollback prepared '${gid}'`);
    }
    await expect.poll(async () => (await progress(checkpoint)).heldBy, POLL).toBeUndefined();
  });
});
