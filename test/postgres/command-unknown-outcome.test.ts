import * as E from 'fp-ts/lib/Either.js';
import * as t from 'io-ts';
import { afterEach, describe, expect, it } from 'vitest';
import { commandEventId, createCommandHandler, createEventRegistry, defineEvent, type Decider, type EventStore } from '@clusterconf/domain';
import { PostgresEventStore } from '@clusterconf/adapters/postgres';
import { startAnswerDroppingProxy, type AnswerDroppingProxy } from '../support/answer-dropping-proxy.js';
import { dropSchema, postgresAvailable, uniqueSchema } from '../support/postgres.js';
import { openStore } from './fixtures.js';

const Stamped = defineEvent('Stamped', t.type({ ticket: t.number }));
const registry = createEventRegistry([Stamped]);
type Event = { type: 'Stamped'; data: { ticket: number } };
/** A ticket is stamped once: a handler that decided a repeat again would get a refusal, not a second event. */
const stamper: Decider<number, ReadonlySet<number>, Event, 'already stamped'> = {
  initialState: new Set(),
  evolve: (tickets, event) => new Set([...tickets, event.data.ticket]),
  decide: (ticket, tickets) => (tickets.has(ticket) ? E.left('already stamped') : E.right([{ type: 'Stamped', data: { ticket } }])),
};
const at = '2020-11-10T09:00:00Z';

const stored = async (store: EventStore, streamId: string) => {
  const events: { revision: bigint; ticket: number; eventId: string }[] = [];
  for await (const event of store.readStream(streamId)) {
    events.push({ revision: event.streamRevision, ticket: (event.data as Event['data']).ticket, eventId: event.metadata.eventId });
  }
  return events;
};

describe.skipIf(!postgresAvailable)('a command whose append committed but whose answer was lost (PostgreSQL)', () => {
  const schema = uniqueSchema('unknown_outcome');
  const opened: { close(): Promise<void> }[] = [];
  afterEach(async () => {
    for (const resource of opened.splice(0).reverse()) await resource.close();
    await dropSchema(schema);
  });

  it('is retried with the same events, answered with the original result, and stored once', async () => {
    const proxy: AnswerDroppingProxy = await startAnswerDroppingProxy();
    opened.push(proxy);
    const direct = await openStore(schema);
    opened.push(direct);
    const relayed = await PostgresEventStore.open({ connectionString: proxy.url, schema });
    opened.push(relayed);

    const seenWhenRetrying: Awaited<ReturnType<typeof stored>>[] = [];
    const handler = createCommandHandler({
      store: relayed, registry, decider: stamper, random: () => 0.5,
      // Before its retry, the handler waits: look at the table then, past the relay.
      sleep: async () => void seenWhenRetrying.push(await stored(direct, 'tickets-1')),
    });
    const before = await handler.handle('tickets-1', 1, { occurredAt: at });
    expect(E.isRight(before)).toBe(true);

    const cut = proxy.dropAnswerTo(`cc-append:${schema}`);
    const result = await handler.handle('tickets-1', 2, { occurredAt: at, commandId: 'stamp-2' });
    await cut;
    expect(proxy.dropped).toBe(1);
    // The first try had committed: the event was in the table while the handler did not know it.
    expect(seenWhenRetrying).toEqual([[expect.objectContaining({ revision: 0n, ticket: 1 }), expect.objectContaining({ revision: 1n, ticket: 2 })]]);

    const events = await stored(direct, 'tickets-1');
    expect(events).toEqual([expect.objectContaining({ revision: 0n, ticket: 1 }), { revision: 1n, ticket: 2, eventId: commandEventId('tickets-1', 'stamp-2', 0) }]);
    let position;
    for await (const event of direct.readStream('tickets-1', { fromRevision: 1n })) position = event.position;
    expect(result).toEqual(E.right({
      state: new Set([1, 2]), revision: 1n, position, events: [{ type: 'Stamped', data: { ticket: 2 } }], attempts: 2, repeated: false,
    }));
  });
});
