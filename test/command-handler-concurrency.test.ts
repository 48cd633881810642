import * as E from 'fp-ts/lib/Either.js';
import * as t from 'io-ts';
import { describe, expect, it } from 'vitest';
import { createCommandHandler, createEventRegistry, defineEvent, RetriesExhaustedError, type Decider } from '@clusterconf/domain';
import { MemoryEventStore } from '@clusterconf/adapters/memory';

const Incremented = defineEvent('Incremented', t.type({ by: t.number, ticket: t.number }));
const registry = createEventRegistry([Incremented]);
type Event = { type: 'Incremented'; data: { by: number; ticket: number } };
const counter: Decider<{ ticket: number }, { total: number; tickets: ReadonlySet<number> }, Event, 'duplicate ticket'> = {
  initialState: { total: 0, tickets: new Set() },
  evolve: (state, event) => ({ total: state.total + event.data.by, tickets: new Set([...state.tickets, event.data.ticket]) }),
  decide: (command, state) =>
    state.tickets.has(command.ticket) ? E.left('duplicate ticket') : E.right([{ type: 'Incremented', data: { by: 1, ticket: command.ticket } }]),
};
const at = { occurredAt: '2020-11-10T09:00:00Z' };

describe('command handler under real concurrency on the in-memory store', () => {
  it('lets 50 concurrent handlers on one stream all succeed through retries, none lost, none doubled', async () => {
    const store = new MemoryEventStore();
    // Each handler has its own cache, as separate processes would; every one of them must still see the others' writes.
    const handlers = Array.from({ length: 50 }, () => createCommandHandler({ store, registry, decider: counter, maxAttempts: 200, cacheSize: 10 }));
    const results = await Promise.all(handlers.map((handler, ticket) => handler.handle('counter-1', { ticket }, at)));
    expect(results.every(E.isRight)).toBe(true);
    const retried = results.filter((r) => E.isRight(r) && r.right.attempts > 1);
    expect(retried.length).toBeGreaterThan(0);
    const tickets = [];
    for await (const event of store.readStream('counter-1')) tickets.push((event.data as { ticket: number }).ticket);
    expect(tickets.sort((a, b) => a - b)).toEqual(Array.from({ length: 50 }, (_, i) => i));
    expect((await handlers[0]!.load('counter-1')).state.total).toBe(50);
  });

  it('gives up with RetriesExhaustedError after the bounded attempts, appending nothing', async () => {
    const store = new MemoryEventStore();
    const handler = createCommandHandler({ store, registry, decider: counter, maxAttempts: 3, baseDelayMs: 0 });
    const original = store.appendToStream.bind(store);
    let sabotage = true;
    let rival = 100;
    store.appendToStream = async (streamId, events, options) => {
      const rivalEvent = { ...events[0]!, data: { by: 1, ticket: rival++ }, metadata: { ...events[0]!.metadata, eventId: crypto.randomUUID() } };
      if (sabotage) await original(streamId, [rivalEvent]);
      return original(streamId, events, options);
    };
    await expect(handler.handle('counter-2', { ticket: 1 }, at)).rejects.toBeInstanceOf(RetriesExhaustedError);
    sabotage = false;
    let count = 0;
    for await (const _ of store.readStream('counter-2')) count++;
    expect(count).toBe(3); // only the saboteur's three events
  });

  it('returns a domain refusal as a Left without appending', async () => {
    const store = new MemoryEventStore();
    const handler = createCommandHandler({ store, registry, decider: counter });
    expect(E.isRight(await handler.handle('counter-3', { ticket: 7 }, at))).toBe(true);
    expect(await handler.handle('counter-3', { ticket: 7 }, at)).toEqual(E.left('duplicate ticket'));
    expect(await store.headPosition()).toEqual({ commit: 1n, prepare: 1n });
  });
});
