import fc from 'fast-check';
import * as E from 'fp-ts/lib/Either.js';
import * as t from 'io-ts';
import { describe, expect, it } from 'vitest';
import {
  CommandOutcomeUnknownError, commandEventId, createCommandHandler, createEventRegistry, defineEvent, InvalidEventError,
  RetriesExhaustedError, StoreClosedError, StoreUnavailableError, type AppendOptions, type Decider, type EventStore, type NewEvent,
} from '@clusterconf/domain';
import { MemoryEventStore } from '@clusterconf/adapters/memory';

const Counted = defineEvent('Counted', t.type({ n: t.number }));
const registry = createEventRegistry([Counted]);
type Event = { type: 'Counted'; data: { n: number } };

/** Counts decisions, so a test sees whether the handler decided again or only sent the same append again. */
const countingDecider = (parts = 1) => {
  const decider: Decider<'count', number, Event, never> & { decisions: number } = {
    decisions: 0,
    initialState: 0,
    evolve: (total) => total + 1,
    decide: (_command, total) => {
      decider.decisions++;
      return E.right(Array.from({ length: parts }, (_, i) => ({ type: 'Counted' as const, data: { n: total + i } })));
    },
  };
  return decider;
};

/**
 * What the store does with one append, in order of calls: `pass` forwards it; `rival` has another writer append to
 * the stream first; `drop-before` loses the connection before the append reaches the store, `drop-after` after it
 * committed. Both drops throw `StoreUnavailableError`, the adapters' error for a connection that failed or timed out.
 */
type Fault = 'pass' | 'rival' | 'drop-before' | 'drop-after';

interface SentAppend {
  readonly ids: readonly string[];
  readonly expectedRevision: AppendOptions['expectedRevision'];
  readonly fault: Fault;
}

const faultyStore = (faults: readonly Fault[]) => {
  const store = new MemoryEventStore();
  const sent: SentAppend[] = [];
  const unavailable = () => new StoreUnavailableError('memory://test', 'the connection dropped (test)');
  const appendToStream = async (streamId: string, events: readonly NewEvent[], options?: AppendOptions) => {
    const fault = faults[sent.length] ?? 'pass';
    sent.push({ ids: events.map((e) => e.metadata.eventId), expectedRevision: options?.expectedRevision, fault });
    if (fault === 'drop-before') throw unavailable();
    if (fault === 'rival') await store.appendToStream(streamId, [{ type: 'Counted', data: { n: -1 }, metadata: { ...events[0]!.metadata, eventId: crypto.randomUUID(), causationId: 'rival' } }]);
    const result = await store.appendToStream(streamId, events, options);
    if (fault === 'drop-after') throw unavailable();
    return result;
  };
  const faulty: EventStore = new Proxy(store, {
    get: (target, property) => {
      if (property === 'appendToStream') return appendToStream;
      const value: unknown = Reflect.get(target, property);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
  return { store, faulty, sent };
};

/** A clock that only the handler's sleeps move: the backoff as the handler sees it, without waiting. */
const fakeTime = (randoms: readonly number[]) => {
  let now = Date.UTC(2020, 10, 10, 9, 0, 0);
  let draws = 0;
  const sleeps: number[] = [];
  return {
    sleeps,
    clock: () => new Date(now),
    sleep: async (ms: number) => {
      sleeps.push(ms);
      now += ms;
    },
    random: () => randoms[draws++ % randoms.length]!,
    get elapsed() {
      return now - Date.UTC(2020, 10, 10, 9, 0, 0);
    },
  };
};

const isEither = (value: unknown): value is E.Either<unknown, { attempts: number }> =>
  typeof value === 'object' && value !== null && '_tag' in value;

const ceiling = (attempt: number, base: number, max: number) => Math.min(max, base * 2 ** (attempt - 1));

const storedIds = async (store: EventStore, streamId: string): Promise<string[]> => {
  const ids: string[] = [];
  try {
    for await (const event of store.readStream(streamId)) ids.push(event.metadata.eventId);
  } catch {
    // No stream: nothing stored.
  }
  return ids;
};

describe('command handler retries', () => {
  it('sends the same events with the same ids and revision after a dropped connection, and returns what the store recorded', async () => {
    const { store, faulty, sent } = faultyStore(['drop-after', 'drop-before', 'pass']);
    const time = fakeTime([0.5, 0.25]);
    const decider = countingDecider(2);
    const handler = createCommandHandler({ store: faulty, registry, decider, baseDelayMs: 10, maxDelayMs: 1000, ...time });
    const result = await handler.handle('count-1', 'count', { commandId: 'c-1' });
    const ids = [commandEventId('count-1', 'c-1', 0), commandEventId('count-1', 'c-1', 1)];
    expect(sent.map(({ ids, expectedRevision }) => ({ ids, expectedRevision }))).toEqual(Array(3).fill({ ids, expectedRevision: 'no_stream' }));
    expect(decider.decisions).toBe(1);
    expect(time.sleeps).toEqual([0.5 * 10, 0.25 * 20]);
    // The first try committed; the third is answered as its retry, with its result.
    let position;
    for await (const event of store.readStream('count-1', { direction: 'backwards', maxCount: 1 })) position = event.position;
    expect(result).toEqual(E.right({ state: 2, revision: 1n, position, events: [{ type: 'Counted', data: { n: 0 } }, { type: 'Counted', data: { n: 1 } }], attempts: 3, repeated: false }));
    expect(await storedIds(store, 'count-1')).toEqual(ids);
    // Time was read once, before the first attempt: every event records it, however long the retries took.
    for await (const event of store.readStream('count-1')) expect(event.metadata.occurredAt).toBe('2020-11-10T09:00:00.000Z');
    expect(time.elapsed).toBe(10);
  });

  it('decides again only after a conflict shows its events are not stored', async () => {
    const { store, faulty, sent } = faultyStore(['drop-before', 'rival', 'pass']);
    const decider = countingDecider();
    const handler = createCommandHandler({ store: faulty, registry, decider, ...fakeTime([0]) });
    const result = await handler.handle('count-1', 'count', { commandId: 'c-1' });
    expect(sent.map((s) => s.expectedRevision)).toEqual(['no_stream', 'no_stream', 0n]);
    expect(decider.decisions).toBe(2);
    expect(result).toMatchObject({ right: { state: 2, revision: 1n, attempts: 3, events: [{ data: { n: 1 } }] } });
    expect((await storedIds(store, 'count-1'))[1]).toBe(commandEventId('count-1', 'c-1', 0));
  });

  it('gives up on an unconfirmed append with CommandOutcomeUnknownError naming the command id to retry with', async () => {
    const { store, faulty } = faultyStore(['drop-after', 'drop-before', 'drop-before']);
    const time = fakeTime([1]);
    const handler = createCommandHandler({ store: faulty, registry, decider: countingDecider(), maxAttempts: 3, ...time });
    const error = await handler.handle('count-1', 'count', { commandId: 'c-1' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CommandOutcomeUnknownError);
    expect(error).toMatchObject({ code: 'COMMAND_OUTCOME_UNKNOWN', commandId: 'c-1', attempts: 3, cause: expect.any(StoreUnavailableError) });
    expect((error as Error).message).toMatch(/^Command c-1 on stream "count-1" may or may not have been applied: the store did not confirm its append in 3 attempts \(last: .*the connection dropped \(test\)\)\. Once the store is reachable, handle the command again with commandId "c-1"/);
    expect(time.sleeps).toEqual([2, 4]);
    // It was stored by the first try; asking again with the id tells, and appends nothing.
    const again = await createCommandHandler({ store, registry, decider: countingDecider() }).handle('count-1', 'count', { commandId: 'c-1' });
    expect(again).toMatchObject({ right: { repeated: true, revision: 0n } });
    expect(await storedIds(store, 'count-1')).toHaveLength(1);
  });

  it('gives up on conflicts with RetriesExhaustedError, sleeping between attempts only', async () => {
    const { faulty } = faultyStore(['rival', 'rival', 'rival', 'rival']);
    const time = fakeTime([0.5]);
    const handler = createCommandHandler({ store: faulty, registry, decider: countingDecider(), maxAttempts: 4, baseDelayMs: 100, maxDelayMs: 300, ...time });
    const error = await handler.handle('count-1', 'count').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RetriesExhaustedError);
    expect((error as Error).message).toBe('Command on stream "count-1" was not applied in 4 attempts, the last of which conflicted with another ' +
      'writer: the stream is too contended; retry later, raise maxAttempts, or split the stream');
    expect(time.sleeps).toEqual([50, 100, 150]);
  });

  it('does not retry what a retry cannot cure, and does not sleep', async () => {
    const store = new MemoryEventStore();
    const closing = new Proxy(store, {
      get: (target, property) => property === 'appendToStream'
        ? () => Promise.reject(new StoreClosedError('The memory event store'))
        : (Reflect.get(target, property) as (...args: unknown[]) => unknown).bind(target),
    });
    const time = fakeTime([0.5]);
    const handler = createCommandHandler({ store: closing, registry, decider: countingDecider(), ...time });
    await expect(handler.handle('count-1', 'count')).rejects.toBeInstanceOf(StoreClosedError);
    expect(time.sleeps).toEqual([]);
  });

  it('answers a refusal of ids stored elsewhere in the stream with the first result when they are its own', async () => {
    const store = new MemoryEventStore();
    // The first handling recorded one event; a handler that read before it decides two, the first with a stored id.
    const first = await createCommandHandler({ store, registry, decider: countingDecider(1) }).handle('count-1', 'count', { commandId: 'c-1' });
    const staleReads = (fresh: number) => {
      let reads = 0;
      return new Proxy(store, {
        get: (target, property) => property === 'readStream'
          ? (...args: Parameters<EventStore['readStream']>) => (reads++ < fresh ? (async function* () {})() : target.readStream(...args))
          : (Reflect.get(target, property) as (...args: unknown[]) => unknown).bind(target),
      });
    };
    const late = await createCommandHandler({ store: staleReads(1), registry, decider: countingDecider(2) }).handle('count-1', 'count', { commandId: 'c-1' });
    expect(late).toEqual(E.right({ ...(first as E.Right<object>).right, attempts: 1, repeated: true }));
    // Ids that are not found in the stream leave the store's refusal standing.
    const blind = createCommandHandler({ store: staleReads(Infinity), registry, decider: countingDecider(2) });
    await expect(blind.handle('count-1', 'count', { commandId: 'c-1' })).rejects.toBeInstanceOf(InvalidEventError);
    expect(await storedIds(store, 'count-1')).toHaveLength(1);
  });

  it('refuses maxAttempts below 1 or fractional, saying what to give', () => {
    for (const maxAttempts of [0, 1.5, Number.NaN]) {
      expect(() => createCommandHandler({ store: new MemoryEventStore(), registry, decider: countingDecider(), maxAttempts }))
        .toThrow(/CommandHandlerOptions\.maxAttempts is .*; give a whole number >= 1/);
    }
  });

  it('backs off with full jitter, never after the last attempt, and stores the command at most once', async () => {
    const fault = fc.constantFrom<Fault>('pass', 'rival', 'drop-before', 'drop-after');
    await fc.assert(fc.asyncProperty(
      fc.array(fault, { maxLength: 8 }), fc.integer({ min: 1, max: 6 }), fc.integer({ min: 0, max: 50 }), fc.integer({ min: 0, max: 400 }),
      fc.array(fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }), { minLength: 1, maxLength: 8 }),
      async (faults, maxAttempts, baseDelayMs, maxDelayMs, randoms) => {
        const { store, faulty, sent } = faultyStore(faults);
        const time = fakeTime(randoms);
        const decider = countingDecider();
        const handler = createCommandHandler({ store: faulty, registry, decider, maxAttempts, baseDelayMs, maxDelayMs, ...time });
        const outcome = await handler.handle('count-1', 'count', { commandId: 'c-1' }).then((result) => result, (error: unknown) => error);

        const attempts = sent.length;
        expect(attempts).toBeGreaterThanOrEqual(1);
        expect(attempts).toBeLessThanOrEqual(maxAttempts);
        expect(time.sleeps).toHaveLength(attempts - 1);
        time.sleeps.forEach((ms, i) => {
          expect(ms).toBeGreaterThanOrEqual(0);
          expect(ms).toBeLessThanOrEqual(ceiling(i + 1, baseDelayMs, maxDelayMs));
          expect(ms).toBe(randoms[i % randoms.length]! * ceiling(i + 1, baseDelayMs, maxDelayMs));
        });
        // After a drop the same append goes out again; a new decision follows only a conflict.
        sent.slice(1).forEach((append, i) => {
          if (sent[i]!.fault.startsWith('drop')) expect({ ids: append.ids, at: append.expectedRevision }).toEqual({ ids: sent[i]!.ids, at: sent[i]!.expectedRevision });
        });
        // A rival after a committed drop is answered as a retry and ends the command, so every earlier rival was a conflict.
        expect(decider.decisions).toBe(1 + sent.slice(0, -1).filter((append) => append.fault === 'rival').length);

        const mine = (await storedIds(store, 'count-1')).filter((id) => id === commandEventId('count-1', 'c-1', 0));
        expect(mine.length).toBeLessThanOrEqual(1);
        const lastFault = sent[attempts - 1]!.fault;
        if (isEither(outcome) && E.isRight(outcome)) {
          expect(mine).toHaveLength(1);
          expect(outcome.right.attempts).toBe(attempts);
        } else if (outcome instanceof CommandOutcomeUnknownError) {
          expect(attempts).toBe(maxAttempts);
          expect(lastFault.startsWith('drop')).toBe(true);
        } else {
          expect(outcome).toBeInstanceOf(RetriesExhaustedError);
          expect(attempts).toBe(maxAttempts);
          expect(lastFault).toBe('rival');
          expect(mine).toHaveLength(0);
        }
      },
    ), { numRuns: 300 });
  });
});
