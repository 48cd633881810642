import * as E from 'fp-ts/lib/Either.js';
import * as t from 'io-ts';
import { describe, expect, it } from 'vitest';
import {
  AppendConditionFailedError, CommandOutcomeUnknownError, createDcbCommandHandler, createEventRegistry, DcbNotSupportedError,
  defineEvent, RetriesExhaustedError, StoreUnavailableError, type AppendCondition, type DcbEventStore, type Decider, type NewEvent,
  type Query,
} from '@clusterconf/domain';
import { MemoryEventStore } from '@clusterconf/adapters/memory';
import { EventStoreDBEventStore } from '@clusterconf/adapters/eventstoredb';

// A seat is reserved once, whoever reserves it: the invariant spans the bookers' streams.
const SeatReserved = defineEvent('SeatReserved', t.type({ seat: t.string, booker: t.string }), {
  tags: (data) => [`seat:${data.seat}`, `booker:${data.booker}`],
});
const registry = createEventRegistry([SeatReserved]);
type Event = { type: 'SeatReserved'; data: { seat: string; booker: string } };
type Reserve = { seat: string; booker: string };

const seats: Decider<Reserve, { holder: string | null }, Event, string> & { decisions: number } = {
  decisions: 0,
  initialState: { holder: null },
  evolve: (_state, event) => ({ holder: event.data.booker }),
  decide: (command, state) => {
    seats.decisions++;
    if (state.holder === command.booker) return E.right([]);
    if (state.holder !== null) return E.left(`seat ${command.seat} is taken by ${state.holder}`);
    return E.right([{ type: 'SeatReserved', data: command }]);
  },
};
const seatQuery = (seat: string): Query => ({ items: [{ types: ['SeatReserved'], tags: [`seat:${seat}`] }] });
const boundary = (command: Reserve) => ({ query: seatQuery(command.seat), streamId: `booking-${command.booker}` });
const at = '2020-11-10T09:00:00Z';

/** A memory store whose appends go through `before`, which may append a rival's event first or fail the call. */
const storeWith = (before: (call: number, store: MemoryEventStore, streamId: string, events: readonly NewEvent[]) => Promise<'pass' | 'drop-after'>) => {
  const store = new MemoryEventStore();
  let calls = 0;
  const append = async (streamId: string, events: readonly NewEvent[], condition?: AppendCondition) => {
    const fault = await before(calls++, store, streamId, events);
    const result = await store.append(streamId, events, condition);
    if (fault === 'drop-after') throw new StoreUnavailableError('memory://test', 'the connection dropped (test)');
    return result;
  };
  const wrapped = new Proxy(store, {
    get: (target, property) => {
      if (property === 'append') return append;
      const value: unknown = Reflect.get(target, property);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  }) as MemoryEventStore & DcbEventStore;
  return { store, wrapped, calls: () => calls };
};

const rival = (store: MemoryEventStore, seat: string, booker: string) =>
  store.append(`booking-${booker}`, [{ type: 'SeatReserved', data: { seat, booker }, tags: [`seat:${seat}`, `booker:${booker}`],
    metadata: { eventId: crypto.randomUUID(), occurredAt: at, correlationId: 'rival', causationId: 'rival', schemaVersion: 1 } }]);

describe('the DCB command handler', () => {
  it('decides on the state the query folds across streams, and appends with the tags the definitions give', async () => {
    const store = new MemoryEventStore();
    const handler = createDcbCommandHandler({ store, registry, decider: seats });
    const first = await handler.handle(boundary({ seat: '12A', booker: 'ada' }), { seat: '12A', booker: 'ada' }, { occurredAt: at });
    expect(first).toEqual(E.right(expect.objectContaining({ attempts: 1, repeated: false, state: { holder: 'ada' } })));
    const second = await handler.handle(boundary({ seat: '12A', booker: 'bob' }), { seat: '12A', booker: 'bob' }, { occurredAt: at });
    expect(second).toEqual(E.left('seat 12A is taken by ada'));
    const stored = [];
    for await (const event of store.readAll()) stored.push({ streamId: event.streamId, tags: event.tags });
    expect(stored).toEqual([{ streamId: 'booking-ada', tags: ['seat:12A', 'booker:ada'] }]);
    expect(await handler.load(seatQuery('12A'))).toMatchObject({ state: { holder: 'ada' } });
  });

  it('reads and decides again when another writer changed what the query selects, and then refuses', async () => {
    const { store, wrapped } = storeWith(async (call) => {
      if (call === 0) await rival(store, '7C', 'rival');
      return 'pass';
    });
    const handler = createDcbCommandHandler({ store: wrapped, registry, decider: seats, sleep: async () => undefined });
    const result = await handler.handle(boundary({ seat: '7C', booker: 'ada' }), { seat: '7C', booker: 'ada' }, { occurredAt: at });
    expect(result).toEqual(E.left('seat 7C is taken by rival'));
  });

  it('settles concurrent reservations of one seat: one is stored, the rest decide again and are refused', async () => {
    const store = new MemoryEventStore();
    const handler = createDcbCommandHandler({ store, registry, decider: seats });
    const bookers = Array.from({ length: 10 }, (_, i) => `b${i}`);
    const results = await Promise.all(bookers.map((booker) => handler.handle(boundary({ seat: '1A', booker }), { seat: '1A', booker }, { occurredAt: at })));
    const stored = results.filter((r) => E.isRight(r) && r.right.events.length === 1);
    expect(stored).toHaveLength(1);
    expect(results.filter(E.isLeft)).toHaveLength(9);
  });

  it('handles a repeated command once: the repeat is answered with the first handling, nothing appended again', async () => {
    const { wrapped, calls } = storeWith(async () => 'pass');
    const handler = createDcbCommandHandler({ store: wrapped, registry, decider: seats });
    const command = { seat: '3B', booker: 'ada' };
    const first = await handler.handle(boundary(command), command, { occurredAt: at, commandId: 'req-1' });
    const again = await handler.handle(boundary(command), command, { occurredAt: at, commandId: 'req-1' });
    expect(E.isRight(again) && again.right).toMatchObject({ repeated: true, events: [{ type: 'SeatReserved', data: command }], state: { holder: 'ada' } });
    expect(E.isRight(first) && E.isRight(again) && again.right.position).toEqual(E.isRight(first) && first.right.position);
    expect(calls()).toBe(1);
  });

  it('sends an unconfirmed append again unchanged, and the store answers the retry with the stored result', async () => {
    const { store, wrapped, calls } = storeWith(async (call) => (call === 0 ? 'drop-after' : 'pass'));
    const before = seats.decisions;
    const handler = createDcbCommandHandler({ store: wrapped, registry, decider: seats, sleep: async () => undefined });
    const result = await handler.handle(boundary({ seat: '9D', booker: 'ada' }), { seat: '9D', booker: 'ada' }, { occurredAt: at });
    expect(E.isRight(result) && result.right).toMatchObject({ attempts: 2, events: [{ type: 'SeatReserved' }] });
    expect(seats.decisions - before).toBe(1);
    expect(calls()).toBe(2);
    const stored = [];
    for await (const event of store.read(seatQuery('9D'))) stored.push(event);
    expect(stored).toHaveLength(1);
  });

  it('gives up after maxAttempts: RetriesExhaustedError when the condition kept failing, CommandOutcomeUnknownError when unconfirmed', async () => {
    let n = 0;
    const contended = storeWith(async (_call, store) => {
      await store.append(`noise-${n++}`, [{ type: 'SeatReserved', data: { seat: 'x', booker: 'y' }, tags: ['seat:5E', 'booker:y'],
        metadata: { eventId: crypto.randomUUID(), occurredAt: at, correlationId: 'r', causationId: 'r', schemaVersion: 1 } }]);
      return 'pass';
    });
    const neverHolds: Decider<Reserve, number, Event, never> = { initialState: 0, evolve: (s) => s + 1, decide: (c) => E.right([{ type: 'SeatReserved', data: c }]) };
    const handler = createDcbCommandHandler({ store: contended.wrapped, registry, decider: neverHolds, maxAttempts: 3, sleep: async () => undefined });
    const exhausted = await handler.handle(boundary({ seat: '5E', booker: 'ada' }), { seat: '5E', booker: 'ada' }, { occurredAt: at }).catch((e: unknown) => e);
    expect(exhausted).toBeInstanceOf(RetriesExhaustedError);
    expect((exhausted as Error).cause).toBeInstanceOf(AppendConditionFailedError);
    const dropping = storeWith(async () => { throw new StoreUnavailableError('memory://test', 'down (test)'); });
    const unsure = createDcbCommandHandler({ store: dropping.wrapped, registry, decider: seats, maxAttempts: 2, sleep: async () => undefined });
    const unknown = await unsure.handle(boundary({ seat: '6F', booker: 'ada' }), { seat: '6F', booker: 'ada' }, { occurredAt: at, commandId: 'req-9' }).catch((e: unknown) => e);
    expect(unknown).toBeInstanceOf(CommandOutcomeUnknownError);
    expect(unknown).toMatchObject({ commandId: 'req-9', attempts: 2 });
  });

  it('refuses, when it is created, a store without the capability', () => {
    const esdb = new EventStoreDBEventStore('esdb://localhost:2113?tls=false');
    expect(() => createDcbCommandHandler({ store: esdb as unknown as DcbEventStore, registry, decider: seats })).toThrow(DcbNotSupportedError);
    void esdb.close();
  });
});
