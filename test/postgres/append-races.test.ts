import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { InvalidEventError, WrongExpectedRevisionError } from '@clusterconf/domain';
import type { PostgresEventStore } from '@clusterconf/adapters/postgres';
import { newEvent } from '@clusterconf/adapters/testing';
import { dropSchema, postgresAvailable, uniqueSchema } from '../support/postgres.js';
import { appendInHeldTransaction, appendInOpenTransaction, collect, openStore, rawClient } from './fixtures.js';

describe.skipIf(!postgresAvailable)('PostgreSQL appends racing on one stream or one event id', () => {
  let schema: string;
  let store: PostgresEventStore;
  beforeEach(async () => {
    schema = uniqueSchema('races');
    store = await openStore(schema, { poolSize: 8 });
  });
  afterEach(async () => {
    await store.close();
    await dropSchema(schema);
  });

  it('the same append sent 8 times at once to a new stream is stored once, and every sender gets the same result', async () => {
    const events = [newEvent('A', { n: 0 }), newEvent('A', { n: 1 })];
    const results = await Promise.all(Array.from({ length: 8 }, () => store.appendToStream('new', events, { expectedRevision: 'no_stream' })));
    for (const result of results) expect(result).toEqual(results[0]);
    expect(results[0]!.nextExpectedRevision).toBe(1n);
    expect((await collect(store.readStream('new'))).map((e) => e.data)).toEqual([{ n: 0 }, { n: 1 }]);
  });

  it('8 different appends racing with no_stream: exactly one wins, the others get WrongExpectedRevisionError', async () => {
    const outcomes = await Promise.allSettled(Array.from({ length: 8 }, (_, i) => store.appendToStream('contended', [newEvent('A', { i })], { expectedRevision: 'no_stream' })));
    expect(outcomes.filter((o) => o.status === 'fulfilled')).toHaveLength(1);
    for (const o of outcomes) if (o.status === 'rejected') expect(o.reason).toBeInstanceOf(WrongExpectedRevisionError);
    expect(await collect(store.readStream('contended'))).toHaveLength(1);
  });

  it('the same ids racing into two different streams: one stores them, the other is refused as a clash', async () => {
    const events = [newEvent('A', {})];
    const outcomes = await Promise.allSettled([store.appendToStream('left', events), store.appendToStream('right', events)]);
    expect(outcomes.filter((o) => o.status === 'fulfilled')).toHaveLength(1);
    const refused = outcomes.find((o) => o.status === 'rejected');
    expect(refused?.reason).toBeInstanceOf(InvalidEventError);
    expect((await collect(store.readAll())).length).toBe(1);
  });

  it('appends sharing ids in opposite orders deadlock: the store retries, and the loser is refused as a clash', async () => {
    const [a, b] = [newEvent('A', { id: 'a' }), newEvent('B', { id: 'b' })];
    const other = await rawClient();
    try {
      // The other writer never runs deadlock detection, so the store's append is the one PostgreSQL cancels.
      await other.query("set deadlock_timeout = '60s'");
      await appendInHeldTransaction(other, schema, 'other-b', [b]);
      const append = store.appendToStream('mine', [a, b]).then(() => undefined, (e: unknown) => e);
      // The store's append has inserted a and waits for the other writer's b. (Watched from outside the other writer's
      // transaction, which would keep seeing the activity snapshot it took first.)
      const watcher = await rawClient();
      for (let waiting = false; !waiting; ) {
        const { rowCount } = await watcher.query(
          "select 1 from pg_stat_activity where wait_event_type = 'Lock' and query like $1 and pid <> pg_backend_pid()",
          [`%"${schema}".append_events%`],
        );
        waiting = (rowCount ?? 0) > 0;
      }
      await watcher.end();
      // Now the other writer wants a too: a cycle, which the store's backend detects after its deadlock_timeout.
      await appendInOpenTransaction(other, schema, 'other-a', [a]);
      await other.query('commit');
      const error = await append;
      expect(error).toBeInstanceOf(InvalidEventError);
      expect((error as Error).message).toMatch(/is already stored at stream "other-/);
    } finally {
      await other.end();
    }
    expect((await collect(store.readAll())).map((e) => e.streamId).sort()).toEqual(['other-a', 'other-b']);
  });
});
