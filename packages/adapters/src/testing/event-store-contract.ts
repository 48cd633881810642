/**
 * The event-store contract suite: the semantics of the `EventStore` port, identical in every adapter. Register it once
 * per store in a Vitest test file:
 *
 *   import { describeEventStoreContract } from '@clusterconf/adapters/testing';
 *
 *   describeEventStoreContract('my store', async () => {
 *     const store = await MyEventStore.open({ database: await freshDatabase() });
 *     return { store, cleanup: async () => { await store.close(); await dropDatabase(); } };
 *   });
 *
 * The factory runs before every case and must return a store over an EMPTY log (a fresh file, schema or database)
 * plus `cleanup`, which closes it and removes what it created. Every stream id a case writes starts with a random
 * prefix, and whole-log assertions only look at events under that prefix, so a backend whose log carries foreign
 * events (system streams) still satisfies the suite, except the empty-log `headPosition` and `progressAfter` cases.
 *
 * Optional hooks of the handle enable backend-specific cases:
 * - `corruptEvent(streamId, revision, column, text)`, with `options.corruptRows: true`: overwrite that stored event's
 *   data or metadata with `text` as it is stored (on EventStoreDB, its data or custom metadata). The cases store data
 *   that is not JSON and metadata that breaks the event contract, and check that reads throw a `CorruptEventError`
 *   naming stream, revision and position, that subscriptions deliver the row as an `unreadable` message in its place
 *   and go on, and that the rest stays readable; without the option the cases are not registered;
 * - `reopen()`: a second store over the same storage (another connection); when given, a case checks that events
 *   written through one store are read, and followed live, through the other (the suite closes it);
 * - `fetchedEvents()`: how many events the store has read for subscriptions so far. Needed only by stores that do
 *   not implement `LogSource.readPage` (the suite counts `readPage` results itself otherwise); it is the honest
 *   observable of backpressure: a subscriber that stops pulling must stop the store from reading.
 *
 * The DCB part ("dynamic consistency boundaries") runs the cases of the Dynamic Consistency Boundary specification
 * (`DcbEventStore`) on a store whose `capabilities.dcb` is true; on one that says false, it checks that `read` and
 * `append` refuse with `DcbNotSupportedError`. The flag is read from the store in each case.
 *
 * Options (`ContractOptions`) say what the store is: `eventIdScope: 'stream'` for stores whose eventIds are unique
 * per stream only (EventStoreDB), `exactCountLimit` for a `progressAfter` that estimates beyond a count, and smaller
 * `concurrentWriters`/`appendsPerWriter` for backends over slow networks.
 */
import { randomUUID } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { takeReadyEventOf } from '@clusterconf/projections/fast-path';
import type {
  AppendResult,
  EventStore,
  Position,
  RecordedEvent,
  Subscription,
  SubscriptionMessage,
} from '@clusterconf/domain';
import {
  comparePositions,
  CorruptEventError,
  formatPosition,
  InvalidEventError,
  InvalidExpectedRevisionError,
  InvalidStreamIdError,
  newEventId,
  StreamNotFoundError,
  WrongExpectedRevisionError,
} from '@clusterconf/domain';
import { describeDcbContract } from './dcb-contract.js';
import { newEvent, newTaggedEvent } from './new-event.js';

/** What the factory returns for one case: the store under test, how to dispose of it, and optional hooks. */
export interface ContractStoreHandle {
  /** A store over an empty log. */
  readonly store: EventStore;
  /** Closes the store (the suite may have closed it already) and removes what the factory created. */
  readonly cleanup: () => Promise<void>;
  /** A second store over the same storage, as another process would open it. */
  readonly reopen?: () => Promise<EventStore>;
  /** Overwrites a stored event's data or metadata with `text`, as a hand edit would; see `ContractOptions.corruptRows`. */
  readonly corruptEvent?: (streamId: string, revision: bigint, column: 'data' | 'metadata', text: string) => Promise<void>;
  /** Events read for subscriptions so far; only for stores without `LogSource.readPage`. */
  readonly fetchedEvents?: () => number;
}

/** Opens a store over an empty log for one case. */
export type ContractStoreFactory = () => Promise<ContractStoreHandle>;

/** What the store is, and the sizes of the heavier cases. */
export interface ContractOptions {
  /** Writers appending at once in the concurrency case; default 8. */
  readonly concurrentWriters?: number;
  /** Appends of each writer in the concurrency case; default 1000. */
  readonly appendsPerWriter?: number;
  /** Registers the corrupt-row cases; the factory must then return `corruptEvent`. */
  readonly corruptRows?: boolean;
  /**
   * Where the store keeps eventIds unique: `'log'` (default) refuses an id stored in any stream; `'stream'` is
   * EventStoreDB's rule (ids are unique, and retries recognised, per stream only), for which the cross-stream cases
   * assert that behaviour instead.
   */
  readonly eventIdScope?: 'log' | 'stream';
  /** Where `progressAfter` stops counting and estimates; omitted: it always counts exactly. */
  readonly exactCountLimit?: number;
}

const collect = async <T>(iterable: AsyncIterable<T>): Promise<T[]> => {
  const items: T[] = [];
  for await (const item of iterable) items.push(item);
  return items;
};

const expectStrictlyIncreasing = (positions: readonly Position[]): void => {
  for (let i = 1; i < positions.length; i++) {
    if (comparePositions(positions[i - 1]!, positions[i]!) >= 0) {
      throw new Error(`positions out of order at index ${i}: ${formatPosition(positions[i - 1]!)} then ${formatPosition(positions[i]!)}`);
    }
  }
};

const rejection = async (promise: Promise<unknown>): Promise<unknown> => {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error('expected a rejection, but the operation succeeded');
};

/** Pulls messages until `stop` says so; returns them all, the stopping one included. */
const pullUntil = async (
  iterator: AsyncIterator<SubscriptionMessage>,
  stop: (message: SubscriptionMessage, all: readonly SubscriptionMessage[]) => boolean,
): Promise<SubscriptionMessage[]> => {
  const messages: SubscriptionMessage[] = [];
  for (;;) {
    const next = await iterator.next();
    if (next.done) throw new Error(`subscription ended after ${messages.length} messages before the expected one arrived`);
    messages.push(next.value);
    if (stop(next.value, messages)) return messages;
  }
};

const eventsOf = (messages: readonly SubscriptionMessage[]): RecordedEvent[] =>
  messages.flatMap((m) => (m.kind === 'event' ? [m.event] : []));

/** Registers the contract cases for one store, as `describe('EventStore contract: <name>')`. */
export const describeEventStoreContract = (name: string, factory: ContractStoreFactory, options: ContractOptions = {}): void => {
  const writers = options.concurrentWriters ?? 8;
  const appendsPerWriter = options.appendsPerWriter ?? 1000;
  const eventIdScope = options.eventIdScope ?? 'log';

  describe(`EventStore contract: ${name}`, () => {
    let handle: ContractStoreHandle;
    let store: EventStore;
    let prefix: string;
    const extraStores: EventStore[] = [];
    const stream = (suffix: string) => `${prefix}${suffix}`;
    const ours = async (opts: Parameters<EventStore['readAll']>[0] = {}) =>
      (await collect(store.readAll(opts))).filter((e) => e.streamId.startsWith(prefix));
    const expectNothingWritten = async () => expect(await ours()).toEqual([]);

    beforeEach(async () => {
      handle = await factory();
      store = handle.store;
      prefix = `c${randomUUID().slice(0, 8)}-`;
    });
    afterEach(async () => {
      for (const extra of extraStores.splice(0)) await extra.close();
      await handle.cleanup();
    });

    describe('expectedRevision', () => {
      it("'any' accepts a new and an existing stream", async () => {
        const s = stream('any');
        expect((await store.appendToStream(s, [newEvent('A', { n: 0 })], { expectedRevision: 'any' })).nextExpectedRevision).toBe(0n);
        expect((await store.appendToStream(s, [newEvent('A', { n: 1 })])).nextExpectedRevision).toBe(1n);
      });

      it("'no_stream' accepts a new stream and refuses an existing one, naming expected and actual", async () => {
        const s = stream('nostream');
        await store.appendToStream(s, [newEvent('A', {}), newEvent('A', {})], { expectedRevision: 'no_stream' });
        const error = await rejection(store.appendToStream(s, [newEvent('A', { late: true })], { expectedRevision: 'no_stream' }));
        expect(error).toBeInstanceOf(WrongExpectedRevisionError);
        expect(error).toMatchObject({ code: 'WRONG_EXPECTED_REVISION', streamId: s, expected: 'no_stream', actual: 1n });
        expect((await collect(store.readStream(s))).length).toBe(2);
      });

      it("'stream_exists' refuses a new stream (actual undefined) and accepts an existing one", async () => {
        const s = stream('exists');
        const error = await rejection(store.appendToStream(s, [newEvent('A', {})], { expectedRevision: 'stream_exists' }));
        expect(error).toBeInstanceOf(WrongExpectedRevisionError);
        expect(error).toMatchObject({ streamId: s, expected: 'stream_exists', actual: undefined });
        await expectNothingWritten();
        await store.appendToStream(s, [newEvent('A', {})]);
        expect((await store.appendToStream(s, [newEvent('A', {})], { expectedRevision: 'stream_exists' })).nextExpectedRevision).toBe(1n);
      });

      it('an exact revision accepts the current one and refuses a stale, a future and a missing stream', async () => {
        const s = stream('exact');
        const missing = await rejection(store.appendToStream(s, [newEvent('A', {})], { expectedRevision: 0n }));
        expect(missing).toMatchObject({ expected: 0n, actual: undefined });
        await store.appendToStream(s, [newEvent('A', {}), newEvent('A', {})]);
        expect((await store.appendToStream(s, [newEvent('A', {})], { expectedRevision: 1n })).nextExpectedRevision).toBe(2n);
        const stale = await rejection(store.appendToStream(s, [newEvent('A', {})], { expectedRevision: 1n }));
        expect(stale).toBeInstanceOf(WrongExpectedRevisionError);
        expect(stale).toMatchObject({ streamId: s, expected: 1n, actual: 2n });
        const future = await rejection(store.appendToStream(s, [newEvent('A', {})], { expectedRevision: 7n }));
        expect(future).toMatchObject({ expected: 7n, actual: 2n });
        expect((await collect(store.readStream(s))).map((e) => e.streamRevision)).toEqual([0n, 1n, 2n]);
      });

      it('a refused append leaves the head of the log where it was', async () => {
        const s = stream('head');
        const result = await store.appendToStream(s, [newEvent('A', {})]);
        await rejection(store.appendToStream(s, [newEvent('A', {}), newEvent('A', {})], { expectedRevision: 'no_stream' }));
        expect(await store.headPosition()).toEqual(result.position);
      });
    });

    describe('appendToStream', () => {
      it('returns the last revision and the position at which it can be read back', async () => {
        const s = stream('result');
        const first = await store.appendToStream(s, [newEvent('A', { i: 0 }), newEvent('B', { i: 1 }), newEvent('C', { i: 2 })]);
        expect(first.nextExpectedRevision).toBe(2n);
        const events = await collect(store.readStream(s));
        expect(events.map((e) => e.type)).toEqual(['A', 'B', 'C']);
        expect(events[2]!.position).toEqual(first.position);
        expectStrictlyIncreasing(events.map((e) => e.position));
        const second = await store.appendToStream(stream('other'), [newEvent('D', {})]);
        expect(comparePositions(second.position, first.position)).toBeGreaterThan(0);
        expect(second.nextExpectedRevision).toBe(0n);
      });

      it('stores data and metadata exactly as their JSON', async () => {
        const s = stream('roundtrip');
        const event = newEvent('Rich', { text: 'Žilina — ünïcødé ✓', nested: { list: [1, 2.5, null, true] }, empty: {} });
        await store.appendToStream(s, [event]);
        const [read] = await collect(store.readStream(s));
        expect(read).toMatchObject({ streamId: s, streamRevision: 0n, type: 'Rich', data: event.data, metadata: event.metadata });
      });

      it('stores tags in the order given and reads them back everywhere; an untagged event reads back with none', async () => {
        const s = stream('tags');
        const tagged = newTaggedEvent('Tagged', ['ballot:ecc2020.ecmy-vote', 'attendee:a-1', "o'; --", 'ü✓😀'], { i: 0 });
        const plain = newEvent('Plain', { i: 1 });
        const emptyList = { ...newEvent('EmptyList', { i: 2 }), tags: [] };
        await store.appendToStream(s, [tagged, plain, emptyList]);
        const expected = [['ballot:ecc2020.ecmy-vote', 'attendee:a-1', "o'; --", 'ü✓😀'], [], []];
        expect((await collect(store.readStream(s))).map((e) => e.tags)).toEqual(expected);
        expect((await collect(store.readStream(s, { direction: 'backwards' }))).map((e) => e.tags)).toEqual([...expected].reverse());
        expect((await ours()).map((e) => e.tags)).toEqual(expected);
        const subscription = store.subscribe({ filter: { streamPrefixes: [s] } });
        try {
          const messages = await pullUntil(subscription[Symbol.asyncIterator](), (m) => m.kind === 'caughtUp');
          expect(eventsOf(messages).map((e) => e.tags)).toEqual(expected);
        } finally {
          await subscription.close();
        }
      });

      it.each<[string, unknown, RegExp]>([
        ['a tag twice', ['ballot:b', 'attendee:a', 'ballot:b'], /"ballot:b" appears twice/],
        ['an empty tag', ['ballot:b', ''], /tags\[1\]\) is refused: it is empty/],
        ['a control character', ['ballot:\u0000b'], /control character U\+0000/],
        ['a lone surrogate', ['ballot:\uD800'], /lone UTF-16 surrogate/],
        ['a tag of 256 characters', ['t'.repeat(256)], /256 characters; the limit is 255/],
        ['17 tags', Array.from({ length: 17 }, (_, i) => `t${i}`), /17 tags; the limit is 16/],
        ['a number as a tag', ['ballot:b', 7], /it is a number, not a string/],
        ['tags that are not an array', 'ballot:b', /its tags are string, not an array/],
      ])('refuses an event with %s, writing nothing of its batch', async (_label, tags, message) => {
        const error = await rejection(store.appendToStream(stream('bad-tags'), [newEvent('A', {}), { ...newEvent('B', {}), tags: tags as string[] }]));
        expect(error).toBeInstanceOf(InvalidEventError);
        expect((error as Error).message).toMatch(message);
        await expectNothingWritten();
      });

      it('writes all events of a batch or none: one unserialisable event refuses the whole batch', async () => {
        const s = stream('atomic');
        const error = await rejection(store.appendToStream(s, [newEvent('A', { ok: 1 }), newEvent('A', { ok: 2 }), newEvent('A', { bad: 1n })]));
        expect(error).toBeInstanceOf(InvalidEventError);
        await expect(collect(store.readStream(s))).rejects.toBeInstanceOf(StreamNotFoundError);
        await expectNothingWritten();
      });

      if (eventIdScope === 'log') {
        it('writes none of a batch whose last eventId is already stored elsewhere', async () => {
          const stored = newEvent('A', {});
          await store.appendToStream(stream('first'), [stored]);
          const error = await rejection(store.appendToStream(stream('second'), [newEvent('A', {}), newEvent('A', {}), newEvent('A', {}, stored.metadata.eventId)]));
          expect(error).toBeInstanceOf(InvalidEventError);
          await expect(collect(store.readStream(stream('second')))).rejects.toBeInstanceOf(StreamNotFoundError);
          expect((await ours()).length).toBe(1);
        });
      }
    });

    describe('idempotent retries', () => {
      it('a retried append of the same ids at the same place returns the original result and stores nothing twice', async () => {
        const s = stream('retry');
        const batch = [newEvent('A', { i: 0 }), newEvent('A', { i: 1 }), newEvent('A', { i: 2 })];
        const original = await store.appendToStream(s, batch, { expectedRevision: 'no_stream' });
        await store.appendToStream(s, [newEvent('B', {})]);
        // The retry carries the original precondition, which no longer holds: the replay must win over the conflict.
        const retried = await store.appendToStream(s, batch, { expectedRevision: 'no_stream' });
        expect(retried).toEqual<AppendResult>(original);
        const suffix = await store.appendToStream(s, batch.slice(1));
        expect(suffix).toEqual(original);
        const prefixRetry = await store.appendToStream(s, batch.slice(0, 2));
        expect(prefixRetry.nextExpectedRevision).toBe(1n);
        expect((await collect(store.readStream(s))).map((e) => e.type)).toEqual(['A', 'A', 'A', 'B']);
        expect((await ours()).length).toBe(4);
      });

      if (eventIdScope === 'log') {
        it('refuses ids stored in another stream, out of order, or mixed with new ids, writing nothing', async () => {
          const batch = [newEvent('A', {}), newEvent('A', {})];
          await store.appendToStream(stream('home'), batch);
          const elsewhere = await rejection(store.appendToStream(stream('away'), batch));
          expect(elsewhere).toBeInstanceOf(InvalidEventError);
          expect((elsewhere as Error).message).toContain(batch[0]!.metadata.eventId);
          const reversed = await rejection(store.appendToStream(stream('home'), [batch[1]!, batch[0]!]));
          expect(reversed).toBeInstanceOf(InvalidEventError);
          const mixed = await rejection(store.appendToStream(stream('home'), [batch[1]!, newEvent('A', {})]));
          expect(mixed).toBeInstanceOf(InvalidEventError);
          expect((await ours()).map((e) => e.streamId)).toEqual([stream('home'), stream('home')]);
        });

        it('refuses ids stored in place as events of another type: an id source repeating itself is not a retry', async () => {
          const first = newEvent('Scheduled', {});
          await store.appendToStream(stream('seeded'), [first]);
          // A restarted writer whose seeded ids start over gives the first id to its next, different event.
          const error = await rejection(store.appendToStream(stream('seeded'), [newEvent('Registered', {}, first.metadata.eventId)]));
          expect(error).toBeInstanceOf(InvalidEventError);
          expect((error as Error).message).toContain(`already stored as a "Scheduled" event, while this append gives that id to a "Registered" event`);
          expect((await ours()).map((e) => e.type)).toEqual(['Scheduled']);
        });
      } else {
        // EventStoreDB checks a retry's place only for 'no_stream' and exact revisions; for 'any' and 'stream_exists' it
        // looks each id up in a bounded cache, in any order (a reversed retry "succeeds"), so those are not asserted.
        it('keeps eventIds unique per stream only: at an exact revision, refuses them out of order or mixed with new ids, stores them in another stream', async () => {
          const batch = [newEvent('A', {}), newEvent('A', {})];
          await store.appendToStream(stream('home'), batch, { expectedRevision: 'no_stream' });
          const reversed = await rejection(store.appendToStream(stream('home'), [batch[1]!, batch[0]!], { expectedRevision: 'no_stream' }));
          expect(reversed).toBeInstanceOf(WrongExpectedRevisionError);
          expect(reversed).toMatchObject({ expected: 'no_stream', actual: 1n });
          const mixed = await rejection(store.appendToStream(stream('home'), [batch[1]!, newEvent('A', {})], { expectedRevision: 0n }));
          expect(mixed).toBeInstanceOf(WrongExpectedRevisionError);
          expect(mixed).toMatchObject({ expected: 0n, actual: 1n });
          expect((await store.appendToStream(stream('home'), [batch[1]!], { expectedRevision: 0n })).nextExpectedRevision).toBe(1n);
          expect((await store.appendToStream(stream('away'), batch, { expectedRevision: 'no_stream' })).nextExpectedRevision).toBe(1n);
          expect((await ours()).map((e) => e.streamId)).toEqual([stream('home'), stream('home'), stream('away'), stream('away')]);
        });
      }
    });

    describe('bad input is refused before anything is written', () => {
      it.each([
        ['empty', ''],
        ['256 characters', 'x'.repeat(256)],
        ['a newline', 'conference-a\nb'],
        ['a NUL', 'conference-\u0000'],
        ['a C1 control', 'conference-\u0085'],
        ['a lone high surrogate', 'conference-x\uD800'],
        ['a lone low surrogate at the start', '\uDC00conference'],
      ])('refuses a stream id with %s', async (_label, streamId) => {
        const error = await rejection(store.appendToStream(streamId, [newEvent('A', {})]));
        expect(error).toBeInstanceOf(InvalidStreamIdError);
        expect(await store.headPosition()).toBeUndefined();
      });

      it('refuses an event type starting with "$", reserved for system events that readers skip', async () => {
        const error = await rejection(store.appendToStream(stream('dollar'), [newEvent('VoteCast', {}), newEvent('$BallotClosed', {})]));
        expect(error).toBeInstanceOf(InvalidEventError);
        expect((error as Error).message).toContain('types starting with "$" are reserved');
        expect(await store.headPosition()).toBeUndefined();
      });

      it('refuses stream ids that differ only in a lone surrogate, so none is stored as another, and keeps whole pairs', async () => {
        for (const lone of ['\uD800', '\uDBFF']) {
          const error = await rejection(store.appendToStream(stream(`x${lone}`), [newEvent('A', {})]));
          expect(error).toBeInstanceOf(InvalidStreamIdError);
          expect((error as Error).message).toMatch(/lone UTF-16 surrogate/);
        }
        await expectNothingWritten();
        await store.appendToStream(stream('x\uD83D\uDE00'), [newEvent('A', {})]);
        expect((await ours()).map((e) => e.streamId)).toEqual([stream('x😀')]);
      });

      it('refuses an event type with a lone surrogate or a control character', async () => {
        for (const type of ['Vote\uD800', '\uDFFFVote', 'Vote\u0000Cast']) {
          const error = await rejection(store.appendToStream(stream('type'), [newEvent('A', {}), newEvent(type, {})]));
          expect(error).toBeInstanceOf(InvalidEventError);
          expect((error as Error).message).toMatch(/its type it contains (a lone UTF-16 surrogate|the control character)/);
        }
        await expectNothingWritten();
      });

      it.each<[string, unknown]>([
        ['null', null],
        ['the number 0', 0],
        ['a negative bigint', -1n],
        ['a bigint past 2^63 - 1', 2n ** 63n],
        ['another string', 'no-stream'],
      ])('refuses expectedRevision %s with InvalidExpectedRevisionError, on a new and on an existing stream', async (_label, expectedRevision) => {
        const missing = await rejection(store.appendToStream(stream('expected'), [newEvent('A', {})], { expectedRevision } as never));
        expect(missing).toBeInstanceOf(InvalidExpectedRevisionError);
        expect(missing).toMatchObject({ code: 'INVALID_EXPECTED_REVISION', streamId: stream('expected') });
        await expectNothingWritten();
        // Not read as 'any' on an existing stream either.
        await store.appendToStream(stream('expected'), [newEvent('A', {})]);
        const existing = await rejection(store.appendToStream(stream('expected'), [newEvent('A', {})], { expectedRevision } as never));
        expect(existing).toBeInstanceOf(InvalidExpectedRevisionError);
        expect((await ours()).length).toBe(1);
      });

      it('refuses data and metadata JSON would change, naming the path of the value, writing nothing', async () => {
        const cases: [unknown, RegExp][] = [
          [{ attendees: [{}, { joinedAt: new Date(0) }] }, /data\.attendees\[1\]\.joinedAt is a Date/],
          [{ score: Number.NaN }, /data\.score is NaN/],
          [{ seats: [1, undefined] }, /data\.seats\[1\] is undefined/],
          [{ name: 'x\uD800' }, /data\.name is a string with a lone UTF-16 surrogate/],
        ];
        for (const [data, message] of cases) {
          const error = await rejection(store.appendToStream(stream('exact'), [newEvent('A', {}), newEvent('A', data)]));
          expect(error).toBeInstanceOf(InvalidEventError);
          expect((error as Error).message).toMatch(message);
        }
        const event = newEvent('A', {});
        const { correlationId: _dropped, ...lacking } = event.metadata;
        for (const [metadata, message] of [
          [lacking, /metadata\.correlationId is missing/],
          [{ ...event.metadata, occurredAt: '2020-11-10 09:00' }, /metadata\.occurredAt "2020-11-10 09:00" is not an RFC 3339 instant/],
          [{ ...event.metadata, tags: new Set(['a']) }, /metadata\.tags is a Set/],
        ] as const) {
          const error = await rejection(store.appendToStream(stream('exact'), [{ ...event, metadata: metadata as never }]));
          expect(error).toBeInstanceOf(InvalidEventError);
          expect((error as Error).message).toMatch(message);
        }
        await expectNothingWritten();
      });

      it('accepts a stream id of exactly 255 characters with quotes and SQL in it', async () => {
        const s = `${prefix}'; DROP TABLE events; --"`.padEnd(255, 'z');
        await store.appendToStream(s, [newEvent("Type'); DELETE FROM events; --", {})]);
        const [read] = await collect(store.readStream(s));
        expect(read).toMatchObject({ streamId: s, type: "Type'); DELETE FROM events; --" });
      });

      it('refuses one eventId twice in a batch, in either letter case, writing nothing', async () => {
        const id = newEventId();
        for (const [first, second] of [[id, id], [id.toLowerCase(), id.toUpperCase()]]) {
          const error = await rejection(store.appendToStream(stream('twice'), [newEvent('A', { i: 0 }, first), newEvent('A', { i: 1 }, second)]));
          expect(error).toBeInstanceOf(InvalidEventError);
          expect((error as Error).message).toMatch(/appears twice in one append/);
        }
        await expectNothingWritten();
      });

      it('refuses an event over the size limit', async () => {
        const error = await rejection(store.appendToStream(stream('big'), [newEvent('A', {}), newEvent('Big', { blob: 'x'.repeat(1024 * 1024 + 1) })]));
        expect(error).toBeInstanceOf(InvalidEventError);
        expect((error as Error).message).toMatch(/limit/);
        await expectNothingWritten();
      });

      it('refuses data holding a bigint or a cycle', async () => {
        const cyclic: Record<string, unknown> = { name: 'loop' };
        cyclic.self = cyclic;
        for (const data of [{ amount: 10n }, cyclic]) {
          const error = await rejection(store.appendToStream(stream('json'), [newEvent('A', data)]));
          expect(error).toBeInstanceOf(InvalidEventError);
          expect((error as Error).message).toMatch(/JSON/);
        }
        await expectNothingWritten();
      });
    });

    describe('readStream', () => {
      const fill = async (s: string) => {
        await store.appendToStream(s, [0, 1, 2].map((i) => newEvent('E', { i })));
        await store.appendToStream(stream('noise'), [newEvent('N', {})]);
        await store.appendToStream(s, [3, 4].map((i) => newEvent('E', { i })));
      };
      const revisions = async (s: string, opts: Parameters<EventStore['readStream']>[1]) =>
        (await collect(store.readStream(s, opts))).map((e) => Number(e.streamRevision));

      it('reads forwards and backwards, from a revision, with a maximum count', async () => {
        const s = stream('read');
        await fill(s);
        expect(await revisions(s, {})).toEqual([0, 1, 2, 3, 4]);
        expect(await revisions(s, { fromRevision: 2n })).toEqual([2, 3, 4]);
        expect(await revisions(s, { fromRevision: 1n, maxCount: 2 })).toEqual([1, 2]);
        expect(await revisions(s, { direction: 'backwards' })).toEqual([4, 3, 2, 1, 0]);
        expect(await revisions(s, { direction: 'backwards', fromRevision: 3n, maxCount: 2 })).toEqual([3, 2]);
        expect(await revisions(s, { direction: 'backwards', fromRevision: 'end', maxCount: 1 })).toEqual([4]);
        expect(await revisions(s, { direction: 'backwards', fromRevision: 99n, maxCount: 2 })).toEqual([4, 3]);
        expect(await revisions(s, { fromRevision: 5n })).toEqual([]);
        expect(await revisions(s, { maxCount: 0 })).toEqual([]);
        const events = await collect(store.readStream(s));
        expect(events.map((e) => (e.data as { i: number }).i)).toEqual([0, 1, 2, 3, 4]);
        expectStrictlyIncreasing(events.map((e) => e.position));
      });

      it('throws StreamNotFoundError for a stream without events', async () => {
        const error = await rejection(collect(store.readStream(stream('missing'))));
        expect(error).toBeInstanceOf(StreamNotFoundError);
        expect(error).toMatchObject({ code: 'STREAM_NOT_FOUND', streamId: stream('missing') });
      });
    });

    describe('readAll', () => {
      const fill = async () => {
        await store.appendToStream(stream('conference-a'), [newEvent('Scheduled', { i: 0 }), newEvent('Registered', { i: 1 })]);
        await store.appendToStream(stream('vote-a.1'), [newEvent('VoteCast', { i: 2 })]);
        await store.appendToStream(stream('conference-b'), [newEvent('Scheduled', { i: 3 })]);
        await store.appendToStream(stream('vote-a.2'), [newEvent('VoteCast', { i: 4 })]);
        await store.appendToStream(stream('conference-a'), [newEvent('Registered', { i: 5 })]);
      };
      const indexes = (events: readonly RecordedEvent[]) => events.map((e) => (e.data as { i: number }).i);

      it('reads the whole log in position order, equal to the appends', async () => {
        await fill();
        const all = await ours();
        expect(indexes(all)).toEqual([0, 1, 2, 3, 4, 5]);
        expectStrictlyIncreasing(all.map((e) => e.position));
        expect(all[1]).toMatchObject({ streamId: stream('conference-a'), streamRevision: 1n, type: 'Registered' });
        expect(all[5]).toMatchObject({ streamId: stream('conference-a'), streamRevision: 2n });
      });

      it('reads strictly after a position, in pages smaller than the log, up to maxCount', async () => {
        await fill();
        const all = await ours();
        expect(indexes(await ours({ after: all[2]!.position }))).toEqual([3, 4, 5]);
        expect(indexes(await ours({ after: all[5]!.position }))).toEqual([]);
        expect(indexes(await ours({ pageSize: 2 }))).toEqual([0, 1, 2, 3, 4, 5]);
        expect(indexes(await ours({ pageSize: 1, after: all[0]!.position }))).toEqual([1, 2, 3, 4, 5]);
        expect(indexes(await ours({ pageSize: 2, maxCount: 3, filter: { streamPrefixes: [prefix] } }))).toEqual([0, 1, 2]);
      });

      it('filters by event type, by stream prefix, and by both', async () => {
        await fill();
        expect(indexes(await ours({ filter: { eventTypes: ['VoteCast'] } }))).toEqual([2, 4]);
        expect(indexes(await ours({ filter: { eventTypes: ['Scheduled', 'VoteCast'] }, pageSize: 1 }))).toEqual([0, 2, 3, 4]);
        expect(indexes(await ours({ filter: { streamPrefixes: [stream('conference-')] } }))).toEqual([0, 1, 3, 5]);
        expect(indexes(await ours({ filter: { streamPrefixes: [stream('vote-a.'), stream('conference-b')] } }))).toEqual([2, 3, 4]);
        expect(indexes(await ours({ filter: { streamPrefixes: [stream('conference-')], eventTypes: ['Registered'] } }))).toEqual([1, 5]);
        expect(indexes(await ours({ filter: { streamPrefixes: [stream('conference-')] }, maxCount: 2, pageSize: 1 }))).toEqual([0, 1]);
        // A prefix is literal text: LIKE wildcards in it match only themselves.
        expect(await ours({ filter: { streamPrefixes: [`${prefix}%`, `${prefix}_onference`] } })).toEqual([]);
      });

      it('with orTypesNotIn also matches the types outside that list; stream prefixes still apply', async () => {
        await fill();
        // Types that only begin or end like a listed one are outside the list.
        await store.appendToStream(stream('conference-c'), [newEvent('Schedule', { i: 6 }), newEvent('Scheduled2', { i: 7 })]);
        const known = ['Scheduled', 'Registered', 'VoteCast'];
        expect(indexes(await ours({ filter: { eventTypes: ['VoteCast'], orTypesNotIn: known } }))).toEqual([2, 4, 6, 7]);
        // Pages where few rows match, so a store that finishes sparse pages another way (SQLite's scan) takes that way.
        expect(indexes(await ours({ filter: { eventTypes: [], orTypesNotIn: ['Scheduled', 'VoteCast'] }, pageSize: 4 }))).toEqual([1, 5, 6, 7]);
        expect(indexes(await ours({ filter: { eventTypes: [], orTypesNotIn: known }, pageSize: 3, maxCount: 1 }))).toEqual([6]);
        expect(indexes(await ours({ filter: { eventTypes: ['VoteCast'], orTypesNotIn: ['VoteCast', 'Registered'], streamPrefixes: [stream('conference-')] } })))
          .toEqual([0, 3, 6, 7]);
        // Nothing is in an empty list; without eventTypes every type matches already.
        expect(indexes(await ours({ filter: { eventTypes: ['VoteCast'], orTypesNotIn: [] } }))).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
        expect(indexes(await ours({ filter: { orTypesNotIn: known, streamPrefixes: [stream('vote-')] } }))).toEqual([2, 4]);
      });

      it('headPosition is undefined on an empty log and then the position of the last append', async () => {
        expect(await store.headPosition()).toBeUndefined();
        await fill();
        const last = await store.appendToStream(stream('last'), [newEvent('Z', {})]);
        expect(await store.headPosition()).toEqual(last.position);
      });
    });

    describe('progressAfter', () => {
      it('counts exactly the events stored after a position: from the start, after each one, and none at the head', async () => {
        expect(await store.progressAfter(undefined)).toEqual({ head: undefined, eventsAfter: 0, eventsAfterIs: 'exact' });
        await store.appendToStream(stream('a'), [newEvent('A', { i: 0 }), newEvent('A', { i: 1 }), newEvent('A', { i: 2 })]);
        await store.appendToStream(stream('b'), [newEvent('B', { i: 3 })]);
        // A refused append stores nothing, so it counts for nothing.
        await rejection(store.appendToStream(stream('b'), [newEvent('B', {})], { expectedRevision: 'no_stream' }));
        await store.appendToStream(stream('a'), [newEvent('A', { i: 4 }), newEvent('A', { i: 5 })]);
        const all = await ours();
        const head = await store.headPosition();
        expect(head).toEqual(all[5]!.position);
        expect(await store.progressAfter(undefined)).toEqual({ head, eventsAfter: 6, eventsAfterIs: 'exact' });
        for (const [index, event] of all.entries()) {
          expect(await store.progressAfter(event.position)).toEqual({ head, eventsAfter: 5 - index, eventsAfterIs: 'exact' });
        }
      });

      const limit = options.exactCountLimit;
      it(limit === undefined ? 'counts exactly also past 10,000 events' : `counts exactly up to ${limit} events and labels a count beyond as an estimate close to it`, async () => {
        // Batches of 500, so the position each append returns lies a whole number of batches before the head.
        const counted = limit ?? 10_000;
        const total = counted + 500;
        const batchEnds: Position[] = [];
        for (let start = 0; start < total; start += 500) {
          const batch = Array.from({ length: 500 }, (_, i) => newEvent('Bulk', { i: start + i }));
          batchEnds.push((await store.appendToStream(stream(`bulk-${start % 3}`), batch)).position);
        }
        const head = batchEnds.at(-1)!;
        const fromStart = await store.progressAfter(undefined);
        expect(fromStart).toMatchObject({ head, eventsAfterIs: limit === undefined ? 'exact' : 'estimate' });
        if (limit === undefined) expect(fromStart.eventsAfter).toBe(total);
        else expect(Math.abs(fromStart.eventsAfter - total)).toBeLessThanOrEqual(total * 0.02);
        // Exactly as many events after the position as the limit: still counted, up to the head.
        expect(await store.progressAfter(batchEnds[0])).toEqual({ head, eventsAfter: counted, eventsAfterIs: 'exact' });
        expect(await store.progressAfter(batchEnds.at(-2))).toEqual({ head, eventsAfter: 500, eventsAfterIs: 'exact' });
      });
    });

    describe('subscribe', () => {
      let subscription: Subscription | undefined;
      afterEach(async () => {
        await subscription?.close();
        subscription = undefined;
      });

      it('catches up, says so, then delivers new events live', async () => {
        const s = stream('live');
        await store.appendToStream(s, [newEvent('A', { i: 0 }), newEvent('A', { i: 1 })]);
        subscription = store.subscribe({ pageSize: 1 });
        const iterator = subscription[Symbol.asyncIterator]();
        const caughtUp = await pullUntil(iterator, (m) => m.kind === 'caughtUp');
        expect(eventsOf(caughtUp).filter((e) => e.streamId === s).map((e) => e.data)).toEqual([{ i: 0 }, { i: 1 }]);
        expect(caughtUp.at(-1)).toEqual({ kind: 'caughtUp', position: await store.headPosition() });
        const pending = pullUntil(iterator, (_m, all) => eventsOf(all).filter((e) => e.streamId === s).length === 2);
        await store.appendToStream(s, [newEvent('A', { i: 2 })]);
        await store.appendToStream(s, [newEvent('A', { i: 3 })]);
        const live = eventsOf(await pending).filter((e) => e.streamId === s);
        expect(live.map((e) => e.streamRevision)).toEqual([2n, 3n]);
      });

      it('a filtered subscription emits checkpoints past the events it filters out', async () => {
        await store.appendToStream(stream('mix'), [newEvent('Wanted', { i: 0 }), newEvent('Other', { i: 1 }), newEvent('Other', { i: 2 })]);
        const head = await store.headPosition();
        subscription = store.subscribe({ filter: { eventTypes: ['Wanted'] }, pageSize: 2 });
        const messages = await pullUntil(subscription[Symbol.asyncIterator](), (m) => m.kind === 'caughtUp');
        expect(eventsOf(messages).map((e) => e.type)).toEqual(['Wanted']);
        const checkpoints = messages.flatMap((m) => (m.kind === 'checkpoint' ? [m.position] : []));
        expect(checkpoints.at(-1)).toEqual(head);
        expect(messages.at(-1)).toEqual({ kind: 'caughtUp', position: head });
      });

      it('a subscription filtered with orTypesNotIn delivers the listed types and the types outside the list', async () => {
        const s = stream('registry');
        await store.appendToStream(s, [newEvent('Wanted', { i: 0 }), newEvent('Known', { i: 1 }), newEvent('Stranger', { i: 2 })]);
        await store.appendToStream(s, [newEvent('Known', { i: 3 }), newEvent('Wanted', { i: 4 }), newEvent('Known', { i: 5 })]);
        const head = await store.headPosition();
        subscription = store.subscribe({ filter: { eventTypes: ['Wanted'], orTypesNotIn: ['Wanted', 'Known'] }, pageSize: 2 });
        const iterator = subscription[Symbol.asyncIterator]();
        const messages = await pullUntil(iterator, (m) => m.kind === 'caughtUp');
        expect(eventsOf(messages).map((e) => e.data)).toEqual([{ i: 0 }, { i: 2 }, { i: 4 }]);
        expect(messages.at(-1)).toEqual({ kind: 'caughtUp', position: head });
        const pending = pullUntil(iterator, (_m, all) => eventsOf(all).length === 1);
        await store.appendToStream(s, [newEvent('Known', { i: 6 }), newEvent('Newcomer', { i: 7 })]);
        expect(eventsOf(await pending).map((e) => e.type)).toEqual(['Newcomer']);
      });

      it('takeReady, where offered, interleaves with the iterator: every message once, in order, equal to readAll', async () => {
        const s = stream('ready');
        for (let i = 0; i < 7; i++) await store.appendToStream(s, [newEvent('A', { i }), newEvent('B', { i })]);
        subscription = store.subscribe({ pageSize: 4 });
        const iterator = subscription[Symbol.asyncIterator]();
        const messages: SubscriptionMessage[] = [];
        let taken = 0;
        while (messages.at(-1)?.kind !== 'caughtUp') {
          // Alternate: take what is in hand every other message, else ask the iterator.
          const ready = messages.length % 2 === 0 ? takeReadyEventOf(subscription)?.() : undefined;
          if (ready !== undefined) {
            taken++;
            messages.push({ kind: 'event', event: ready });
            continue;
          }
          const result = await iterator.next();
          if (result.done === true) break;
          messages.push(result.value);
        }
        const all: RecordedEvent[] = [];
        for await (const event of store.readAll()) all.push(event);
        expect(eventsOf(messages).map((e) => e.position)).toEqual(all.map((e) => e.position));
        if (takeReadyEventOf(subscription) !== undefined) expect(taken).toBeGreaterThan(0);
      });

      it('close() ends a pending iteration and every later one', async () => {
        subscription = store.subscribe();
        const iterator = subscription[Symbol.asyncIterator]();
        await pullUntil(iterator, (m) => m.kind === 'caughtUp');
        const pending = iterator.next();
        await subscription.close();
        expect(await pending).toMatchObject({ done: true });
        expect(await iterator.next()).toMatchObject({ done: true });
      });

      it('closing the store ends its subscriptions', async () => {
        const own = store.subscribe();
        const iterator = own[Symbol.asyncIterator]();
        await pullUntil(iterator, (m) => m.kind === 'caughtUp');
        const pending = iterator.next();
        await store.close();
        expect(await pending).toMatchObject({ done: true });
      });

      it('closed and reopened from its last position, a subscriber misses nothing and repeats nothing', async () => {
        const s = stream('resume');
        for (let i = 0; i < 10; i++) await store.appendToStream(s, [newEvent('A', { i })]);
        const first = store.subscribe({ pageSize: 3 });
        const seen = eventsOf(await pullUntil(first[Symbol.asyncIterator](), (_m, all) => eventsOf(all).length === 4));
        await first.close();
        for (let i = 10; i < 15; i++) await store.appendToStream(s, [newEvent('A', { i })]);
        subscription = store.subscribe({ after: seen.at(-1)!.position, pageSize: 3 });
        const iterator = subscription[Symbol.asyncIterator]();
        const rest = eventsOf(await pullUntil(iterator, (m) => m.kind === 'caughtUp'));
        const pending = pullUntil(iterator, (_m, all) => eventsOf(all).length === 2);
        await store.appendToStream(s, [newEvent('A', { i: 15 }), newEvent('A', { i: 16 })]);
        const live = eventsOf(await pending);
        const all = [...seen, ...rest, ...live].filter((e) => e.streamId === s);
        expect(all.map((e) => (e.data as { i: number }).i)).toEqual(Array.from({ length: 17 }, (_, i) => i));
        expectStrictlyIncreasing(all.map((e) => e.position));
      });

      it(`${writers} concurrent writers × ${appendsPerWriter} appends: a live subscriber gets every event once, in position order, equal to readAll`, async () => {
        subscription = store.subscribe({ pageSize: 100 });
        const iterator = subscription[Symbol.asyncIterator]();
        await pullUntil(iterator, (m) => m.kind === 'caughtUp');
        const total = writers * appendsPerWriter;
        const received: RecordedEvent[] = [];
        const consuming = (async () => {
          while (received.length < total) {
            const next = await iterator.next();
            if (next.done) throw new Error(`subscription ended after ${received.length} of ${total} events`);
            if (next.value.kind === 'event' && next.value.event.streamId.startsWith(prefix)) received.push(next.value.event);
          }
        })();
        await Promise.all(
          Array.from({ length: writers }, async (_, w) => {
            for (let i = 0; i < appendsPerWriter; i++) {
              // Every writer also hits one shared stream now and then, so appends to one stream race too.
              const target = i % 10 === 0 ? stream('shared') : stream(`writer-${w}`);
              await store.appendToStream(target, [newEvent('Written', { w, i })]);
            }
          }),
        );
        await consuming;
        expect(new Set(received.map((e) => e.metadata.eventId)).size).toBe(total);
        expectStrictlyIncreasing(received.map((e) => e.position));
        const log = await ours({ pageSize: 333 });
        expect(received.map((e) => e.metadata.eventId)).toEqual(log.map((e) => e.metadata.eventId));
        expect(received.map((e) => e.position)).toEqual(log.map((e) => e.position));
        const shared = await collect(store.readStream(stream('shared')));
        expect(shared.map((e) => e.streamRevision)).toEqual(Array.from({ length: shared.length }, (_, i) => BigInt(i)));
        expect(shared.length).toBe(writers * Math.ceil(appendsPerWriter / 10));
      });

      it('a second store over the same storage reads and follows what the first one writes', async () => {
        // Without a second handle the same store stands in, so the case still checks write-then-follow.
        const other = handle.reopen ? await handle.reopen() : store;
        if (other !== store) extraStores.push(other);
        const s = stream('shared-storage');
        await store.appendToStream(s, [newEvent('A', { i: 0 })]);
        subscription = other.subscribe();
        const iterator = subscription[Symbol.asyncIterator]();
        const caughtUp = eventsOf(await pullUntil(iterator, (m) => m.kind === 'caughtUp')).filter((e) => e.streamId === s);
        expect(caughtUp.map((e) => e.data)).toEqual([{ i: 0 }]);
        const pending = pullUntil(iterator, (_m, all) => eventsOf(all).some((e) => e.streamId === s));
        const appended = await store.appendToStream(s, [newEvent('A', { i: 1 })], { expectedRevision: 0n });
        expect(eventsOf(await pending).find((e) => e.streamId === s)?.position).toEqual(appended.position);
        expect((await collect(other.readStream(s))).map((e) => e.data)).toEqual([{ i: 0 }, { i: 1 }]);
        const conflict = await rejection(other.appendToStream(s, [newEvent('A', {})], { expectedRevision: 0n }));
        expect(conflict).toMatchObject({ expected: 0n, actual: 1n });
      });

      it('a subscriber that stops pulling stops the store from reading ahead more than one page', async () => {
        const pageSize = 10;
        const s = stream('slow');
        for (let i = 0; i < 20; i++) await store.appendToStream(s, Array.from({ length: 25 }, (_, j) => newEvent('Bulk', { i: i * 25 + j })));
        const fetched = countFetches(handle);
        subscription = store.subscribe({ pageSize });
        const iterator = subscription[Symbol.asyncIterator]();
        await pullUntil(iterator, (_m, all) => eventsOf(all).length === 15);
        // Give a store that reads ahead eagerly every chance to do so before measuring.
        for (let i = 0; i < 20; i++) await new Promise((resolve) => setImmediate(resolve));
        expect(fetched()).toBeGreaterThanOrEqual(15);
        expect(fetched()).toBeLessThanOrEqual(15 + pageSize);
        const rest = await pullUntil(iterator, (m) => m.kind === 'caughtUp');
        expect(eventsOf(rest).length).toBe(500 - 15);
      });
    });

    describeDcbContract({ store: () => store, stream, tag: (name) => `${prefix}${name}` }, { racers: writers });

    if (options.corruptRows) {
      describe('backend-specific cases', () => {
        let subscription: Subscription | undefined;
        afterEach(async () => {
          await subscription?.close();
          subscription = undefined;
        });
        it('a stored row whose JSON is malformed: reads fail when they reach it, subscriptions deliver it in its place and go on', async () => {
          const corruptEvent = handle.corruptEvent;
          if (!corruptEvent) throw new Error('options.corruptRows is set but the factory returned no corruptEvent hook');
          const s = stream('corrupt');
          await store.appendToStream(s, [newEvent('A', { i: 0 }), newEvent('A', { i: 1 }), newEvent('A', { i: 2 })]);
          await store.appendToStream(stream('healthy'), [newEvent('H', {})]);
          const bad = (await collect(store.readStream(s)))[1]!;
          await corruptEvent(s, 1n, 'data', '{"broken": ');
          const read: RecordedEvent[] = [];
          const error = await rejection((async () => { for await (const e of store.readStream(s)) read.push(e); })());
          expect(read.map((e) => e.streamRevision)).toEqual([0n]);
          expect(error).toBeInstanceOf(CorruptEventError);
          expect(error).toMatchObject({ code: 'CORRUPT_EVENT', streamId: s, streamRevision: 1n, position: formatPosition(bad.position) });
          expect((error as Error).message).toContain(s);
          expect(await rejection(ours())).toMatchObject({ code: 'CORRUPT_EVENT', streamRevision: 1n });
          expect((await collect(store.readStream(s, { fromRevision: 2n })))[0]!.data).toEqual({ i: 2 });
          expect((await collect(store.readStream(stream('healthy'))))[0]!.type).toBe('H');
          const after = await ours({ after: bad.position });
          expect(after.map((e) => e.streamId)).toEqual([s, stream('healthy')]);

          subscription = store.subscribe({ filter: { streamPrefixes: [s, stream('healthy')] } });
          const iterator = subscription[Symbol.asyncIterator]();
          const first = await iterator.next();
          expect(first.value).toMatchObject({ kind: 'event', event: { streamRevision: 0n } });
          // The page in hand holds the bad row next: not an event takeReady can hand over.
          expect(takeReadyEventOf(subscription)?.()).toBeUndefined();
          const rest = await pullUntil(iterator, (m) => m.kind === 'caughtUp');
          const unreadable = rest[0]!;
          if (unreadable.kind !== 'unreadable') throw new Error(`expected the bad row as an unreadable message, got ${unreadable.kind}`);
          expect(unreadable.event).toMatchObject({ streamId: s, streamRevision: 1n, position: bad.position, type: 'A' });
          expect(unreadable.event.error).toBeInstanceOf(CorruptEventError);
          expect(unreadable.event.error).toMatchObject({ streamId: s, streamRevision: 1n, position: formatPosition(bad.position) });
          expect(eventsOf(rest).map((e) => `${e.streamId}@${e.streamRevision}`)).toEqual([`${s}@2`, `${stream('healthy')}@0`]);
          expect(rest.at(-1)).toEqual({ kind: 'caughtUp', position: await store.headPosition() });
          await subscription.close();

          // A filter that leaves the bad row's type out never delivers it.
          subscription = store.subscribe({ filter: { eventTypes: ['H'], streamPrefixes: [s, stream('healthy')] } });
          const healthy = await pullUntil(subscription[Symbol.asyncIterator](), (m) => m.kind === 'caughtUp');
          expect(healthy.filter((m) => m.kind === 'event' || m.kind === 'unreadable').map((m) => m.kind === 'event' && m.event.type)).toEqual(['H']);
          await store.appendToStream(s, [newEvent('A', { i: 3 })], { expectedRevision: 2n });
        });

        it('a stored row whose metadata breaks the event contract: reads fail when they reach it, subscriptions deliver it in its place and go on', async () => {
          const corruptEvent = handle.corruptEvent!;
          const s = stream('bad-metadata');
          await store.appendToStream(s, [newEvent('A', { i: 0 }), newEvent('A', { i: 1 }), newEvent('A', { i: 2 })]);
          const bad = (await collect(store.readStream(s)))[1]!;
          const rules: [string, RegExp][] = [
            ['{"eventId":42}', /metadata\.eventId 42 is not a UUID/],
            [JSON.stringify({ ...bad.metadata, occurredAt: '2020-11-10 09:00' }), /metadata\.occurredAt "2020-11-10 09:00" is not an RFC 3339 instant/],
            [JSON.stringify({ ...bad.metadata, causationId: '' }), /metadata\.causationId "" is not a non-empty string/],
            [JSON.stringify({ ...bad.metadata, schemaVersion: 0 }), /metadata\.schemaVersion 0 is not a whole number >= 1/],
          ];
          for (const [text, reason] of rules) {
            await corruptEvent(s, 1n, 'metadata', text);
            const read: RecordedEvent[] = [];
            const error = await rejection((async () => { for await (const e of store.readStream(s)) read.push(e); })());
            expect(read.map((e) => e.streamRevision)).toEqual([0n]);
            expect(error).toBeInstanceOf(CorruptEventError);
            expect(error).toMatchObject({ streamId: s, streamRevision: 1n, position: formatPosition(bad.position) });
            expect((error as Error).message).toMatch(reason);
            expect(await rejection(ours())).toMatchObject({ code: 'CORRUPT_EVENT', streamRevision: 1n });
          }
          subscription = store.subscribe({ filter: { streamPrefixes: [s] } });
          const messages = await pullUntil(subscription[Symbol.asyncIterator](), (m) => m.kind === 'caughtUp');
          expect(messages.filter((m) => m.kind !== 'checkpoint').map((m) => m.kind)).toEqual(['event', 'unreadable', 'event', 'caughtUp']);
          const unreadable = messages.find((m) => m.kind === 'unreadable');
          if (unreadable?.kind !== 'unreadable') throw new Error('expected the row as an unreadable message');
          expect(unreadable.event).toMatchObject({ streamId: s, streamRevision: 1n, position: bad.position, type: 'A' });
          expect(unreadable.event.error.message).toMatch(rules.at(-1)![1]);
        });
      });
    }
  });
};

/** Counts the events a store has read for subscriptions, through the adapter's hook or its `readPage`. */
const countFetches = (handle: ContractStoreHandle): (() => number) => {
  if (handle.fetchedEvents) {
    const start = handle.fetchedEvents();
    return () => handle.fetchedEvents!() - start;
  }
  const source = handle.store as EventStore & { readPage?: (...args: unknown[]) => Promise<{ events: readonly unknown[] }> };
  const readPage = source.readPage;
  if (typeof readPage !== 'function') {
    throw new Error('This store implements neither LogSource.readPage nor the fetchedEvents hook; provide fetchedEvents() in the contract factory');
  }
  let count = 0;
  source.readPage = async (...args: unknown[]) => {
    const page = await readPage.apply(source, args);
    count += page.events.length;
    return page;
  };
  return () => count;
};
