/**
 * The PostgreSQL locking of conditional appends, proved with appends held open: `appendInHeldTransaction` runs the
 * store's own append statement, with the locks the store computes, inside a transaction the test commits when it
 * chooses. So the cases can show who waits for whom, and what each check then sees.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type pg from 'pg';
import type { Query, RecordedEvent } from '@clusterconf/domain';
import { AppendConditionFailedError, comparePositions } from '@clusterconf/domain';
import type { PostgresEventStore } from '@clusterconf/adapters/postgres';
import { newTaggedEvent } from '@clusterconf/adapters/testing';
import { dropSchema, postgresAvailable, uniqueSchema } from '../support/postgres.js';
import { appendInHeldTransaction, collect, openStore, rawClient } from './fixtures.js';

/** The conference model's vote condition: this attendee's votes on this ballot, and the ballot's opening and closing. */
const voteQuery = (ballot: string, attendee: string): Query => ({
  items: [
    { types: ['VoteCast'], tags: [`attendee:${attendee}`, `ballot:${ballot}`] },
    { types: ['SessionOpened', 'BallotClosed'], tags: [`ballot:${ballot}`] },
  ],
});
const vote = (ballot: string, attendee: string) => newTaggedEvent('VoteCast', [`attendee:${attendee}`, `ballot:${ballot}`], { ballot, attendee });
const close = (ballot: string) => newTaggedEvent('BallotClosed', [`ballot:${ballot}`], { ballot });

/** Whether `promise` is still pending after `ms`. */
const pendingAfter = async (promise: Promise<unknown>, ms: number): Promise<boolean> => {
  const marker = Symbol('pending');
  const winner = await Promise.race([promise.then(() => undefined, () => undefined), new Promise((resolve) => setTimeout(() => resolve(marker), ms))]);
  return winner === marker;
};

const settle = <T>(promise: Promise<T>) => promise.then((value) => ({ value }), (error: unknown) => ({ error }));

describe.skipIf(!postgresAvailable)('PostgreSQL conditional appends: who waits for whom', () => {
  let schema: string;
  let store: PostgresEventStore;
  const held: pg.Client[] = [];
  const hold = async (): Promise<pg.Client> => {
    const client = await rawClient();
    held.push(client);
    return client;
  };
  beforeEach(async () => {
    schema = uniqueSchema('dcb_locks');
    store = await openStore(schema);
  });
  afterEach(async () => {
    for (const client of held.splice(0)) await client.end();
    await store.close();
    await dropSchema(schema);
  });

  it('a condition waits for a pending append of an event it matches, and then fails on it', async () => {
    const closing = await hold();
    await appendInHeldTransaction(closing, schema, 'conference-c', [close('b')]);
    const voting = settle(store.append('vote-b.a1', [vote('b', 'a1')], { failIfEventsMatch: voteQuery('b', 'a1') }));
    expect(await pendingAfter(voting, 500)).toBe(true);
    await closing.query('commit');
    const outcome = await voting;
    expect('error' in outcome && outcome.error).toBeInstanceOf(AppendConditionFailedError);
    const [closed] = await collect(store.readStream('conference-c'));
    expect(outcome).toMatchObject({ error: { conflictingPosition: closed!.position } });
    expect(await collect(store.read(voteQuery('b', 'a1')))).toHaveLength(1);
  });

  it('an append of an event a pending condition matches waits for it, and lands after it', async () => {
    const voting = await hold();
    await appendInHeldTransaction(voting, schema, 'vote-b.a1', [vote('b', 'a1')], { failIfEventsMatch: voteQuery('b', 'a1') });
    const closing = store.appendToStream('conference-c', [close('b')]);
    expect(await pendingAfter(closing, 500)).toBe(true);
    await voting.query('commit');
    const closed = await closing;
    const [voted] = await collect(store.readStream('vote-b.a1'));
    expect(comparePositions(closed.position, voted!.position)).toBeGreaterThan(0);
    // The log now says: the vote, then the close, as the vote's condition saw it.
    expect((await collect(store.read({ items: [{ tags: ['ballot:b'] }] }))).map((e) => e.type)).toEqual(['VoteCast', 'BallotClosed']);
  });

  it('two conditional appends that each match the other\'s event: one is stored, the other refused', async () => {
    const first = await hold();
    await appendInHeldTransaction(first, schema, 'vote-b.a1', [vote('b', 'a1')], { failIfEventsMatch: voteQuery('b', 'a1') });
    const again = settle(store.append('vote-b.a1', [vote('b', 'a1')], { failIfEventsMatch: voteQuery('b', 'a1') }));
    expect(await pendingAfter(again, 500)).toBe(true);
    await first.query('commit');
    expect(await again).toMatchObject({ error: expect.any(AppendConditionFailedError) });
    expect(await collect(store.read(voteQuery('b', 'a1')))).toHaveLength(1);
  });

  it('appends whose conditions and events do not meet go ahead while one is held open', async () => {
    const voting = await hold();
    await appendInHeldTransaction(voting, schema, 'vote-b1.a1', [vote('b1', 'a1')], { failIfEventsMatch: voteQuery('b1', 'a1') });
    const started = performance.now();
    // Another ballot's vote with its condition, a vote of someone else on the held ballot without one, another
    // ballot's close, and untagged stream appends: none of them waits.
    await store.append('vote-b2.a2', [vote('b2', 'a2')], { failIfEventsMatch: voteQuery('b2', 'a2') });
    await store.append('vote-b1.a3', [vote('b1', 'a3')]);
    await store.appendToStream('conference-c', [close('b2')]);
    await store.appendToStream('plain', [newTaggedEvent('Plain', [], {}), newTaggedEvent('VoteCast', [], {})]);
    // A condition on the votes of an attendee who has none on the held ballot.
    await store.append('note-a4', [newTaggedEvent('Noted', ['attendee:a4'], {})], { failIfEventsMatch: { items: [{ types: ['VoteCast'], tags: ['attendee:a4'] }] } });
    expect(performance.now() - started).toBeLessThan(2000);
    expect(await collect(store.read(voteQuery('b1', 'a1')))).toEqual([]);
    await voting.query('commit');
  });

  it('two votes of different attendees on one ballot are both stored; the second waits for the first\'s commit, as both lock the ballot\'s close exclusively', async () => {
    const first = await hold();
    await appendInHeldTransaction(first, schema, 'vote-b.a1', [vote('b', 'a1')], { failIfEventsMatch: voteQuery('b', 'a1') });
    const second = store.append('vote-b.a2', [vote('b', 'a2')], { failIfEventsMatch: voteQuery('b', 'a2') });
    expect(await pendingAfter(second, 500)).toBe(true);
    await first.query('commit');
    await second;
    expect((await collect(store.read({ items: [{ types: ['VoteCast'], tags: ['ballot:b'] }] }))).map((e) => (e.data as { attendee: string }).attendee)).toEqual(['a1', 'a2']);
  });

  it('a read returns no event that a running transaction could still precede: it waits for it, and its last position is a sound after', async () => {
    const early = await hold();
    // Holds a transaction id below the next append's, with a matching event that commits only later.
    await appendInHeldTransaction(early, schema, 'early', [newTaggedEvent('Seen', ['topic:t'], { n: 0 })]);
    const later = await store.append('later', [newTaggedEvent('Seen', ['topic:t'], { n: 1 })]);
    const query: Query = { items: [{ tags: ['topic:t'] }] };
    const reading = collect(store.read(query));
    expect(await pendingAfter(reading, 500)).toBe(true);
    await early.query('commit');
    const read: RecordedEvent[] = await reading;
    // The early event sorts first though it committed last: the read waited for it rather than return n: 1 alone.
    expect(read.map((e) => (e.data as { n: number }).n)).toEqual([0, 1]);
    expect(read.at(-1)!.position).toEqual(later.position);
    await store.append('next', [newTaggedEvent('Seen', ['topic:t'], { n: 2 })], { failIfEventsMatch: query, after: read.at(-1)!.position });
  });

  it('when the wait runs out, a read ends before the rows held back, and a condition built on it fails rather than miss them', async () => {
    const impatient = await openStore(schema, { orderingWaitMs: 200 });
    try {
      const early = await hold();
      await appendInHeldTransaction(early, schema, 'early', [newTaggedEvent('Seen', ['topic:t'], { n: 0 })]);
      await impatient.append('later', [newTaggedEvent('Seen', ['topic:t'], { n: 1 })]);
      const query: Query = { items: [{ tags: ['topic:t'] }] };
      expect(await collect(impatient.read(query))).toEqual([]);
      await early.query('commit');
      const refused = await settle(impatient.append('next', [newTaggedEvent('Seen', ['topic:t'], { n: 2 })], { failIfEventsMatch: query }));
      expect(refused).toMatchObject({ error: expect.any(AppendConditionFailedError) });
    } finally {
      await impatient.close();
    }
  });
});
