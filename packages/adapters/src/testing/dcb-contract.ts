/**
 * The DCB part of the event-store contract suite (`describeEventStoreContract` registers it): the cases of the
 * Dynamic Consistency Boundary specification (dcb.events) for a store whose `capabilities.dcb` is true, and for one
 * that says false, that `read` and `append` refuse with `DcbNotSupportedError`. Which of the two applies is read from
 * the store itself in each case, so a store cannot pass by leaving the flag out: a case that does not apply is
 * reported as skipped.
 */
import { describe, expect, it } from 'vitest';
import type { AppendResult, DcbEventStore, EventStore, NewEvent, Position, Query, RecordedEvent, SubscriptionMessage } from '@clusterconf/domain';
import {
  ALL_EVENTS,
  AppendConditionFailedError,
  comparePositions,
  DcbNotSupportedError,
  InvalidEventError,
  InvalidQueryError,
  InvalidStreamIdError,
  supportsDcb,
} from '@clusterconf/domain';
import { newTaggedEvent } from './new-event.js';

/** What a DCB case needs of the surrounding suite: the store of the current case and its stream and tag namer. */
export interface DcbCaseContext {
  store(): EventStore;
  /** A stream id of this case (under the case's random prefix). */
  stream(suffix: string): string;
  /** A tag of this case: under the same prefix, so a log with foreign events never matches it. */
  tag(name: string): string;
}

/** Options of the DCB part. */
export interface DcbContractOptions {
  /** Concurrent conditional appends in the race cases; default 8. */
  readonly racers?: number;
}

const collect = async <T>(iterable: AsyncIterable<T>): Promise<T[]> => {
  const items: T[] = [];
  for await (const item of iterable) items.push(item);
  return items;
};

const rejection = async (promise: Promise<unknown>): Promise<unknown> => {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error('expected a rejection, but the operation succeeded');
};

/** Registers the DCB cases inside the store's contract `describe`. */
export const describeDcbContract = (context: DcbCaseContext, options: DcbContractOptions = {}): void => {
  const racers = options.racers ?? 8;
  const { stream, tag } = context;
  /** The store under test as a DCB store, or `undefined` (the case is skipped) when it says it is none. */
  const dcbStore = (skip: () => void): (EventStore & DcbEventStore) | undefined => {
    const store = context.store();
    if (supportsDcb(store)) return store;
    skip();
    return undefined;
  };
  const ofThisCase = (events: readonly RecordedEvent[]) => events.filter((e) => e.streamId.startsWith(stream('')));
  const dataOf = (events: readonly RecordedEvent[]) => ofThisCase(events).map((e) => (e.data as { n: number }).n);
  const event = (type: string, tags: readonly string[], n: number, eventId?: string): NewEvent => newTaggedEvent(type, tags.map(tag), { n }, eventId);

  describe('dynamic consistency boundaries', () => {
    it('a store without the capability says so, and refuses read and append with DcbNotSupportedError', async ({ skip }) => {
      const store = context.store();
      if (supportsDcb(store)) return skip();
      expect(store.capabilities?.dcb ?? false).toBe(false);
      const candidate = store as Partial<DcbEventStore>;
      if (typeof candidate.read === 'function') {
        const error = await rejection(collect(candidate.read.call(store, ALL_EVENTS)));
        expect(error).toBeInstanceOf(DcbNotSupportedError);
        expect(error).toMatchObject({ code: 'DCB_NOT_SUPPORTED' });
      }
      if (typeof candidate.append === 'function') {
        const error = await rejection(candidate.append.call(store, stream('none'), [event('A', ['x'], 0)], { failIfEventsMatch: ALL_EVENTS }));
        expect(error).toBeInstanceOf(DcbNotSupportedError);
        expect((await collect(store.readAll())).filter((e) => e.streamId === stream('none'))).toEqual([]);
      }
    });

    /** A log of six events over three streams, appended without conditions, and what the cases read of it. */
    const seed = async (store: DcbEventStore): Promise<AppendResult[]> => {
      const results: AppendResult[] = [];
      results.push(await store.append(stream('course-c1'), [event('CourseDefined', ['course:c1'], 0)]));
      results.push(await store.append(stream('course-c2'), [event('CourseDefined', ['course:c2'], 1)]));
      results.push(await store.append(stream('student-s1'), [event('StudentRegistered', ['student:s1'], 2)]));
      results.push(await store.append(stream('course-c1'), [event('StudentSubscribed', ['course:c1', 'student:s1'], 3), event('CourseRenamed', ['course:c1'], 4)]));
      results.push(await store.append(stream('course-c2'), [event('StudentSubscribed', ['student:s1', 'course:c2'], 5)]));
      return results;
    };
    const read = async (store: DcbEventStore, query: Query, opts?: Parameters<DcbEventStore['read']>[1]) => dataOf(await collect(store.read(query, opts)));

    it('reads by type, types OR-ed within an item', async ({ skip }) => {
      const store = dcbStore(skip)!;
      await seed(store);
      expect(await read(store, { items: [{ types: ['CourseDefined'] }] })).toEqual([0, 1]);
      expect(await read(store, { items: [{ types: ['CourseDefined', 'StudentRegistered'] }] })).toEqual([0, 1, 2]);
      expect(await read(store, { items: [{ types: ['NeverStored'] }] })).toEqual([]);
    });

    it('reads by tags, AND-ed within an item, in whatever order the event holds them', async ({ skip }) => {
      const store = dcbStore(skip)!;
      await seed(store);
      expect(await read(store, { items: [{ tags: [tag('course:c1')] }] })).toEqual([0, 3, 4]);
      expect(await read(store, { items: [{ tags: [tag('student:s1'), tag('course:c1')] }] })).toEqual([3]);
      expect(await read(store, { items: [{ tags: [tag('course:c2'), tag('student:s1')] }] })).toEqual([5]);
      expect(await read(store, { items: [{ tags: [tag('course:c1'), tag('course:c2')] }] })).toEqual([]);
    });

    it('reads by types and tags together, and OR-s items, each event once, in log order', async ({ skip }) => {
      const store = dcbStore(skip)!;
      await seed(store);
      expect(await read(store, { items: [{ types: ['StudentSubscribed', 'CourseRenamed'], tags: [tag('course:c1')] }] })).toEqual([3, 4]);
      const multi: Query = {
        items: [
          { types: ['CourseDefined'], tags: [tag('course:c2')] },
          { types: ['StudentSubscribed'], tags: [tag('student:s1')] },
          { tags: [tag('student:s1')] },
        ],
      };
      expect(await read(store, multi)).toEqual([1, 2, 3, 5]);
      const events = ofThisCase(await collect(store.read(multi)));
      expect(events.map((e) => e.tags)).toEqual([[tag('course:c2')], [tag('student:s1')], [tag('course:c1'), tag('student:s1')], [tag('student:s1'), tag('course:c2')]]);
      for (let i = 1; i < events.length; i++) expect(comparePositions(events[i - 1]!.position, events[i]!.position)).toBeLessThan(0);
      // An item that names neither types nor tags matches every event.
      expect(await read(store, ALL_EVENTS)).toEqual([0, 1, 2, 3, 4, 5]);
      expect(await read(store, { items: [{ types: ['CourseDefined'] }, {}] })).toEqual([0, 1, 2, 3, 4, 5]);
    });

    it('reads strictly after a position, and at most a limit of events', async ({ skip }) => {
      const store = dcbStore(skip)!;
      const results = await seed(store);
      const courseC1 = { items: [{ tags: [tag('course:c1')] }] };
      expect(await read(store, courseC1, { after: results[0]!.position })).toEqual([3, 4]);
      expect(await read(store, courseC1, { after: results[3]!.position })).toEqual([]);
      expect(await read(store, courseC1, { limit: 2 })).toEqual([0, 3]);
      expect(await read(store, courseC1, { after: results[0]!.position, limit: 1 })).toEqual([3]);
      expect(await read(store, ALL_EVENTS, { after: results[2]!.position, limit: 2 })).toEqual([3, 4]);
    });

    it('refuses a query that would silently read more or less than it says, before reading anything', async ({ skip }) => {
      const store = dcbStore(skip)!;
      const refusals: [unknown, RegExp][] = [
        [{ items: [] }, /it has no items, so it would match nothing/],
        [{}, /its items are not an array/],
        [{ items: [{ types: [] }] }, /items\[0\]\.types is empty, which would match nothing; leave it out to match any/],
        [{ items: [{ tags: [] }] }, /items\[0\]\.tags is empty/],
        [{ items: [{ tags: ['ballot:\u0000'] }] }, /items\[0\]\.tags\[0\] .* control character/],
        [{ items: [{ types: ['$system'] }] }, /reserved for the event store's system events/],
        [{ items: ['VoteCast'] }, /items\[0\] is not an object/],
      ];
      for (const [query, message] of refusals) {
        const error = await rejection(collect(store.read(query as Query)));
        expect(error).toBeInstanceOf(InvalidQueryError);
        expect((error as Error).message).toMatch(message);
        const refused = await rejection(store.append(stream('refused'), [event('A', ['x'], 0)], { failIfEventsMatch: query as Query }));
        expect(refused).toBeInstanceOf(InvalidQueryError);
      }
      expect(await rejection(collect(store.read(ALL_EVENTS, { after: { commit: 1 } as unknown as Position })))).toBeInstanceOf(InvalidQueryError);
      expect(await rejection(collect(store.read(ALL_EVENTS, { limit: 0 })))).toBeInstanceOf(RangeError);
      expect(await rejection(store.append('', [event('A', [], 0)]))).toBeInstanceOf(InvalidStreamIdError);
      expect(ofThisCase(await collect(store.readAll()))).toEqual([]);
    });

    it('appends at the end of the named stream without a revision check, in the one log stream appends share', async ({ skip }) => {
      const store = dcbStore(skip)!;
      const s = stream('shared');
      await store.appendToStream(s, [event('A', ['t'], 0)]);
      const appended = await store.append(s, [event('B', ['t'], 1), event('B', [], 2)]);
      expect(appended.nextExpectedRevision).toBe(2n);
      const after = await store.appendToStream(s, [event('C', ['t'], 3)], { expectedRevision: 2n });
      expect(comparePositions(after.position, appended.position)).toBeGreaterThan(0);
      expect((await collect(store.readStream(s))).map((e) => [e.type, e.streamRevision, e.tags])).toEqual([
        ['A', 0n, [tag('t')]], ['B', 1n, [tag('t')]], ['B', 2n, []], ['C', 3n, [tag('t')]],
      ]);
      expect(await read(store, { items: [{ tags: [tag('t')] }] })).toEqual([0, 1, 3]);
    });

    it('appends when no event matches the condition after its position, and refuses, writing nothing, when one does', async ({ skip }) => {
      const store = dcbStore(skip)!;
      const results = await seed(store);
      const query: Query = { items: [{ types: ['StudentSubscribed'], tags: [tag('course:c1')] }, { types: ['CourseRenamed'], tags: [tag('course:c1')] }] };
      // The position of the last event a read of the query returned: nothing matching after it, so the append stands.
      const lastRead = ofThisCase(await collect(store.read(query))).at(-1)!.position;
      const ok = await store.append(stream('course-c1'), [event('StudentSubscribed', ['course:c1', 'student:s2'], 6)], { failIfEventsMatch: query, after: lastRead });
      expect(ok.nextExpectedRevision).toBe(3n);
      // Now the read it was decided on is stale: the same condition fails, naming the query and the first conflict.
      const error = await rejection(store.append(stream('course-c1'), [event('StudentSubscribed', ['course:c1', 'student:s3'], 7)], { failIfEventsMatch: query, after: lastRead }));
      expect(error).toBeInstanceOf(AppendConditionFailedError);
      expect(error).toMatchObject({ code: 'APPEND_CONDITION_FAILED', streamId: stream('course-c1'), conflictingPosition: ok.position, condition: { failIfEventsMatch: query, after: lastRead } });
      expect((error as Error).message).toContain(`StudentSubscribed with ${tag('course:c1')}, or CourseRenamed with ${tag('course:c1')}`);
      // Without `after`, any matching event at all conflicts: the first one in the log.
      const anywhere = await rejection(store.append(stream('x'), [event('X', [], 8)], { failIfEventsMatch: query }));
      const firstMatch = ofThisCase(await collect(store.read(query)))[0]!;
      expect(firstMatch.data).toEqual({ n: 3 });
      expect(anywhere).toMatchObject({ conflictingPosition: firstMatch.position });
      expect(await read(store, ALL_EVENTS)).toEqual([0, 1, 2, 3, 4, 5, 6]);
      // A condition no event matches holds, with or without a position.
      await store.append(stream('x'), [event('X', [], 9)], { failIfEventsMatch: { items: [{ tags: [tag('course:c3')] }] } });
      await store.append(stream('x'), [event('X', [], 10)], { failIfEventsMatch: { items: [{ types: ['NeverStored'] }] }, after: results[0]!.position });
      expect(await read(store, ALL_EVENTS, { after: ok.position })).toEqual([9, 10]);
    });

    it('a condition sees events of every stream, whether appended with a condition or by appendToStream', async ({ skip }) => {
      const store = dcbStore(skip)!;
      const results = await seed(store);
      const query: Query = { items: [{ tags: [tag('student:s1')] }] };
      const last = results.at(-1)!.position;
      // An event that does not match, in any stream, leaves the condition standing.
      await store.appendToStream(stream('elsewhere'), [event('StudentRegistered', ['student:s2'], 6)]);
      await store.append(stream('student-s1'), [event('StudentRenamed', ['student:s1'], 7)], { failIfEventsMatch: query, after: last });
      const renamed = ofThisCase(await collect(store.read(query))).at(-1)!.position;
      // A stream append of a matching event to another stream makes it fail.
      const stored = await store.appendToStream(stream('other'), [event('Noted', ['student:s1'], 8)]);
      const error = await rejection(store.append(stream('student-s1'), [event('StudentRenamed', ['student:s1'], 9)], { failIfEventsMatch: query, after: renamed }));
      expect(error).toMatchObject({ code: 'APPEND_CONDITION_FAILED', conflictingPosition: stored.position });
    });

    it('a retried conditional append of the same ids returns the original result instead of failing on its own events', async ({ skip }) => {
      const store = dcbStore(skip)!;
      const query: Query = { items: [{ types: ['SeatClaimed'], tags: [tag('seat:7')] }] };
      const batch = [event('SeatClaimed', ['seat:7'], 0), event('TicketIssued', ['seat:7'], 1)];
      const original = await store.append(stream('seat-7'), batch, { failIfEventsMatch: query });
      // The retry's own stored events match its condition now; it is answered as the retry it is.
      expect(await store.append(stream('seat-7'), batch, { failIfEventsMatch: query })).toEqual(original);
      await store.append(stream('seat-7'), [event('Noted', [], 2)]);
      expect(await store.append(stream('seat-7'), batch, { failIfEventsMatch: query })).toEqual(original);
      expect(await store.append(stream('seat-7'), batch)).toEqual(original);
      // Another writer's claim with new ids is refused by the condition, and writes nothing.
      expect(await rejection(store.append(stream('seat-7'), [event('SeatClaimed', ['seat:7'], 3)], { failIfEventsMatch: query }))).toBeInstanceOf(AppendConditionFailedError);
      // Stored ids in another stream, or mixed with new ones, are a clash, not a retry.
      expect(await rejection(store.append(stream('seat-8'), batch, { failIfEventsMatch: { items: [{ tags: [tag('seat:8')] }] } }))).toBeInstanceOf(InvalidEventError);
      expect(await rejection(store.append(stream('seat-7'), [batch[0]!, event('Noted', [], 4)]))).toBeInstanceOf(InvalidEventError);
      expect(await read(store, ALL_EVENTS)).toEqual([0, 1, 2]);
    });

    it('refuses bad events and tags of a conditional append as stream appends do, writing nothing', async ({ skip }) => {
      const store = dcbStore(skip)!;
      const twice = await rejection(store.append(stream('bad'), [event('A', ['a', 'a'], 0)], { failIfEventsMatch: ALL_EVENTS }));
      expect(twice).toBeInstanceOf(InvalidEventError);
      expect(await rejection(store.append(stream('bad'), []))).toBeInstanceOf(InvalidEventError);
      expect(await rejection(store.append(stream('bad'), [event('A', [], 0)], null as never))).toBeInstanceOf(InvalidQueryError);
      expect(ofThisCase(await collect(store.readAll()))).toEqual([]);
    });

    it('a live subscriber gets conditional appends in their place in the log, with their tags', async ({ skip }) => {
      const store = dcbStore(skip)!;
      const subscription = store.subscribe({ filter: { streamPrefixes: [stream('')] } });
      try {
        const iterator = subscription[Symbol.asyncIterator]();
        const pull = async (count: number): Promise<RecordedEvent[]> => {
          const events: RecordedEvent[] = [];
          while (events.length < count) {
            const next: IteratorResult<SubscriptionMessage> = await iterator.next();
            if (next.done) throw new Error('subscription ended');
            if (next.value.kind === 'event') events.push(next.value.event);
          }
          return events;
        };
        await store.append(stream('live'), [event('A', ['live'], 0)]);
        await store.appendToStream(stream('live'), [event('B', [], 1)]);
        await store.append(stream('live'), [event('C', ['live'], 2)], { failIfEventsMatch: { items: [{ types: ['C'], tags: [tag('live')] }] } });
        const events = await pull(3);
        expect(events.map((e) => [e.type, e.tags])).toEqual([['A', [tag('live')]], ['B', []], ['C', [tag('live')]]]);
      } finally {
        await subscription.close();
      }
    });

    it(`${racers} conditional appends racing on one condition: exactly one is stored, the others are refused; disjoint ones all are`, async ({ skip }) => {
      const store = dcbStore(skip)!;
      const query: Query = { items: [{ types: ['SeatClaimed'], tags: [tag('seat:1')] }] };
      const outcomes = await Promise.all(Array.from({ length: racers }, (_, i) =>
        store.append(stream(`claim-${i}`), [event('SeatClaimed', ['seat:1', `claimer:${i}`], i)], { failIfEventsMatch: query }).then(
          (result) => ({ result }),
          (error: unknown) => ({ error }),
        )));
      const stored = outcomes.filter((o) => 'result' in o);
      expect(stored).toHaveLength(1);
      for (const outcome of outcomes) if ('error' in outcome) expect(outcome.error).toBeInstanceOf(AppendConditionFailedError);
      expect(await read(store, query)).toHaveLength(1);
      // Each on its own seat: no condition overlaps another's events, and none is refused.
      const disjoint = await Promise.all(Array.from({ length: racers }, (_, i) =>
        store.append(stream(`own-${i}`), [event('SeatClaimed', [`seat:own-${i}`], 100 + i)], { failIfEventsMatch: { items: [{ types: ['SeatClaimed'], tags: [tag(`seat:own-${i}`)] }] } })));
      expect(disjoint).toHaveLength(racers);
    });
  });
};
