/**
 * The round-trip property: appends of arbitrary events, whose stream ids, types, tags, data and metadata may hold
 * anything JSON changes or UTF-8 cannot hold (see `json-values.ts`), are each either refused with nothing written, or read back
 * deep-equal through `readStream`, `readAll`, and a copy of the whole log into a second store (`copyLog`: by default
 * every event read from the first store appended to the second; this repository passes the CLI's export and
 * import). Which it must be comes from the oracle `holdsExactly`, written from JSON's behaviour, not from the
 * library's validator. It needs fast-check.
 *
 *   describeEventRoundTripProperty('my store', async () => {
 *     const store = await MyEventStore.open({ database: await freshDatabase() });
 *     return { store, cleanup: async () => { await store.close(); await dropDatabase(); } };
 *   });
 *
 * The factory is the contract suite's: it is called twice (the source and the copy's target), each over an empty log
 * without foreign events, since the property counts stored events with `progressAfter` from the start of the log.
 */
import { randomUUID } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { InvalidEventError, InvalidStreamIdError, newEventId, type EventStore, type NewEvent, type RecordedEvent } from '@clusterconf/domain';
import type { ContractStoreFactory } from './event-store-contract.js';
import { anyText, anyValue, holdsExactly, jsonLikeValue, sameAsJson } from './json-values.js';

/** Copies every event of `source`'s log into `target`, an empty store, in log order. */
export type CopyLog = (source: EventStore, target: EventStore) => Promise<void>;

/** Options of `describeEventRoundTripProperty`. */
export interface RoundTripOptions {
  /** How many appends fast-check tries; default 150. */
  readonly numRuns?: number;
  /** How the log is copied into the second store; default `appendEachEvent`. */
  readonly copyLog?: CopyLog;
}

/** The default `CopyLog`: each event read through `readAll` appended to its stream in `target`, with its own metadata. */
export const appendEachEvent: CopyLog = async (source, target) => {
  for await (const event of source.readAll()) {
    const expectedRevision = event.streamRevision === 0n ? 'no_stream' : event.streamRevision - 1n;
    const copy = { type: event.type, data: event.data, metadata: event.metadata };
    await target.appendToStream(event.streamId, [event.tags.length === 0 ? copy : { ...copy, tags: event.tags }], { expectedRevision });
  }
};

interface WellFormed {
  isWellFormed(): boolean;
}
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/;
/** A name (stream id suffix or type) every store keeps as it is: whole characters, no control characters. */
const storableName = (text: string): boolean => (text as unknown as WellFormed).isWellFormed() && !CONTROL.test(text);

/** Changes that break a required metadata field; each makes the event one every store refuses. */
const BROKEN_METADATA: readonly Record<string, unknown>[] = [
  { correlationId: undefined, causationId: undefined },
  { causationId: '' },
  { occurredAt: '2020-11-10 09:00' },
  { occurredAt: '2020-02-30T09:00:00Z' },
  { eventId: 42 },
  { schemaVersion: 0 },
  { schemaVersion: '1' },
];

/** One event to append, with what decides whether the stores must take it. */
const eventCase = fc.record({
  type: fc.oneof({ weight: 12, arbitrary: fc.constantFrom('Tested', 'VoteCast', "Type'; --") }, { weight: 1, arbitrary: anyText }),
  data: fc.oneof({ weight: 3, arbitrary: jsonLikeValue }, { weight: 2, arbitrary: anyValue }),
  // Fields of the application's own beside the required ones; now and then one named with "$" (the store's).
  extra: fc.dictionary(
    fc.oneof({ weight: 12, arbitrary: anyText.map((text) => `x-${text}`) }, { weight: 1, arbitrary: anyText.map((text) => `$${text}`) }),
    fc.oneof({ weight: 4, arbitrary: jsonLikeValue }, { weight: 1, arbitrary: anyValue }),
    { maxKeys: 2 },
  ),
  broken: fc.oneof({ weight: 12, arbitrary: fc.constant(undefined) }, { weight: 1, arbitrary: fc.constantFrom(...BROKEN_METADATA) }),
  // Mostly none; else a few, from a small pool so that a tag now and then appears twice, or of any text.
  tags: fc.oneof(
    { weight: 6, arbitrary: fc.constant(undefined) },
    { weight: 4, arbitrary: fc.array(fc.oneof({ weight: 8, arbitrary: fc.constantFrom('ballot:b', 'attendee:a', "t'; --", 'ü✓') }, { weight: 2, arbitrary: anyText }), { maxLength: 3 }) },
  ),
});

const appendCase = fc.record({
  streamSuffix: fc.oneof({ weight: 12, arbitrary: fc.constant('') }, { weight: 1, arbitrary: anyText }),
  events: fc.array(eventCase, { minLength: 1, maxLength: 3 }),
});

type EventCase = typeof eventCase extends fc.Arbitrary<infer T> ? T : never;

const toNewEvent = ({ type, data, extra, broken, tags }: EventCase): NewEvent => {
  const eventId = newEventId();
  const metadata = { ...extra, eventId, occurredAt: '2020-11-10T09:00:00.000Z', correlationId: eventId, causationId: eventId, schemaVersion: 1, ...broken };
  return tags === undefined ? { type, data, metadata: metadata as NewEvent['metadata'] } : { type, data, metadata: metadata as NewEvent['metadata'], tags };
};

/** Tags every store keeps as given: names stored as they are, none empty, none twice (a store must not merge them). */
const storableTags = (tags: readonly string[] | undefined): boolean =>
  tags === undefined || (tags.every((tag) => tag.length > 0 && storableName(tag)) && new Set(tags).size === tags.length);

/** What the oracle says of one event: whether every store must store it exactly. */
const storable = (caseOf: EventCase, event: NewEvent): boolean =>
  caseOf.broken === undefined && event.type.length > 0 && !event.type.startsWith('$') && storableName(event.type) &&
  event.data !== undefined && holdsExactly(event.data) && holdsExactly(event.metadata) &&
  Object.keys(caseOf.extra).every((key) => !key.startsWith('$')) && storableTags(caseOf.tags);

const collect = async <T>(iterable: AsyncIterable<T>): Promise<T[]> => {
  const items: T[] = [];
  for await (const item of iterable) items.push(item);
  return items;
};

const storedCount = async (store: EventStore): Promise<number> => {
  const progress = await store.progressAfter(undefined);
  expect(progress.eventsAfterIs).toBe('exact');
  return progress.eventsAfter;
};

const show = (value: unknown): string => {
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
};

/** Asserts that `read` is `appended` as stored at `streamId`. */
const expectSameEvent = (read: RecordedEvent | undefined, appended: NewEvent, streamId: string): void => {
  expect(read, `no event read back for ${show(appended)}`).toBeDefined();
  expect(read!.streamId).toBe(streamId);
  expect(read!.type).toBe(appended.type);
  expect(sameAsJson(appended.data, read!.data), `data ${show(appended.data)} read back as ${show(read!.data)}`).toBe(true);
  expect(sameAsJson(appended.metadata, read!.metadata), `metadata ${show(appended.metadata)} read back as ${show(read!.metadata)}`).toBe(true);
  expect(read!.tags, `tags ${show(appended.tags)} read back as ${show(read!.tags)}`).toEqual(appended.tags ?? []);
};

/** Registers the round-trip property for one store, as `describe('event round trip: <name>')`. */
export const describeEventRoundTripProperty = (name: string, factory: ContractStoreFactory, options: RoundTripOptions = {}): void => {
  const copyLog = options.copyLog ?? appendEachEvent;
  describe(`event round trip: ${name}`, () => {
    it('refuses every event JSON or UTF-8 would change, writing nothing, and reads back every other one deep-equal through readStream, readAll and a copy of the log', async () => {
      const source = await factory();
      const target = await factory();
      const prefix = `rt${randomUUID().slice(0, 8)}-`;
      const stored: { streamId: string; event: NewEvent }[] = [];
      let appends = 0;
      let refusals = 0;
      try {
        const { store } = source;
        await fc.assert(
          fc.asyncProperty(appendCase, async ({ streamSuffix, events: cases }) => {
            const streamId = `${prefix}${appends++}${streamSuffix}`;
            const events = cases.map(toNewEvent);
            const mustStore = storableName(streamSuffix) && cases.every((each, index) => storable(each, events[index]!));
            const before = await storedCount(store);
            const outcome = await store.appendToStream(streamId, events, { expectedRevision: 'no_stream' }).then(
              (result) => ({ result }),
              (error: unknown) => ({ error }),
            );
            if (!mustStore) {
              expect('error' in outcome, `accepted ${show(events)} on stream ${show(streamId)}, which JSON or UTF-8 would change`).toBe(true);
              const { error } = outcome as { error: unknown };
              if (!(error instanceof InvalidEventError || error instanceof InvalidStreamIdError)) throw error;
              expect(await storedCount(store)).toBe(before);
              refusals++;
              return;
            }
            if ('error' in outcome) throw outcome.error;
            expect(outcome.result.nextExpectedRevision).toBe(BigInt(events.length - 1));
            expect(await storedCount(store)).toBe(before + events.length);
            const fromStream = await collect(store.readStream(streamId));
            expect(fromStream).toHaveLength(events.length);
            events.forEach((event, index) => expectSameEvent(fromStream[index], event, streamId));
            const fromLog = (await collect(store.readAll({ filter: { streamPrefixes: [streamId] } }))).filter((e) => e.streamId === streamId);
            events.forEach((event, index) => expectSameEvent(fromLog[index], event, streamId));
            for (const event of events) stored.push({ streamId, event });
          }),
          { numRuns: options.numRuns ?? 150 },
        );
        // The property is only as strong as its mix: both outcomes must have been tried often (about half each).
        expect(refusals).toBeGreaterThan(appends / 10);
        expect(appends - refusals).toBeGreaterThan(appends / 10);

        await copyLog(store, target.store);
        const imported = await collect(target.store.readAll());
        expect(imported).toHaveLength(stored.length);
        // Copied in log order: per stream in revision order, as appended.
        const byStream = new Map<string, RecordedEvent[]>();
        for (const event of imported) byStream.set(event.streamId, [...(byStream.get(event.streamId) ?? []), event]);
        const next = new Map<string, number>();
        for (const { streamId, event } of stored) {
          const index = next.get(streamId) ?? 0;
          next.set(streamId, index + 1);
          expectSameEvent(byStream.get(streamId)?.[index], event, streamId);
        }
      } finally {
        await source.cleanup();
        await target.cleanup();
      }
    });
  });
};
