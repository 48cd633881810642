import { afterEach, describe, expect, it } from 'vitest';
import type { RecordedEvent, SubscriptionMessage } from '@clusterconf/domain';
import { EventStoreDBEventStore } from '@clusterconf/adapters/eventstoredb';
import { newEvent } from '@clusterconf/adapters/testing';
import { loadTestClient } from './test-client.js';
import { EventStoreDBTestServer } from './test-server/index.js';

/** Pulls until `count` events of the stream arrived; returns every message pulled. */
const pullEvents = async (iterator: AsyncIterator<SubscriptionMessage>, streamId: string, count: number, into: RecordedEvent[]): Promise<void> => {
  let seen = 0;
  while (seen < count) {
    const next = await iterator.next();
    if (next.done) throw new Error(`subscription ended after ${seen} of ${count} events`);
    if (next.value.kind === 'event' && next.value.event.streamId === streamId) {
      into.push(next.value.event);
      seen++;
    }
  }
};

// The TEST SERVER is stopped (every connection cut) and restarted on the same port with the same data.
describe('EventStoreDB adapter: connection loss during a subscription (on the test server)', () => {
  const cleanups: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });

  const startServer = async () => {
    const server = new EventStoreDBTestServer();
    await server.start();
    cleanups.push(() => server.stop());
    return server;
  };
  const connect = async (server: EventStoreDBTestServer) => {
    const client = (await loadTestClient(server.clientPackage)).connect(server.connectionString);
    cleanups.push(() => client.dispose());
    return client;
  };

  it.each([
    ['unfiltered', undefined],
    ['filtered by event type', { eventTypes: ['Counted'] }],
  ])('an %s subscriber resumes from its last position without losing or repeating events', async (_label, filter) => {
    const server = await startServer();
    const store = new EventStoreDBEventStore(await connect(server), { reconnect: { initialDelayMs: 20, maxDelayMs: 200 } });
    cleanups.push(() => store.close());
    for (let i = 0; i < 5; i++) await store.appendToStream('counter', [newEvent('Counted', { i }), newEvent('Ignored', { i })]);

    const subscription = store.subscribe({ filter, pageSize: 4 });
    const iterator = subscription[Symbol.asyncIterator]();
    const received: RecordedEvent[] = [];
    await pullEvents(iterator, 'counter', filter ? 5 : 10, received);

    await server.stop();
    // Written while the subscriber is cut off: by a client connected after the restart.
    await server.start();
    const writer = new EventStoreDBEventStore(await connect(server));
    for (let i = 5; i < 8; i++) await writer.appendToStream('counter', [newEvent('Counted', { i }), newEvent('Ignored', { i })]);

    await pullEvents(iterator, 'counter', filter ? 3 : 6, received);
    const counted = received.filter((e) => e.type === 'Counted').map((e) => (e.data as { i: number }).i);
    expect(counted).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
    expect(new Set(received.map((e) => e.metadata.eventId)).size).toBe(received.length);
    expect(received.length).toBe(filter ? 8 : 16);

    // Live again after the reconnect: a new event still arrives, exactly once.
    await writer.appendToStream('counter', [newEvent('Counted', { i: 8 })]);
    const live: RecordedEvent[] = [];
    await pullEvents(iterator, 'counter', 1, live);
    expect(live.map((e) => e.data)).toEqual([{ i: 8 }]);
    await subscription.close();
  });

  it('fails with StoreUnavailableError naming the endpoint when the server stays away', async () => {
    const server = await startServer();
    const store = new EventStoreDBEventStore(await connect(server), { endpoint: 'esdb://127.0.0.1:test-port', reconnect: { maxAttempts: 3, initialDelayMs: 10, maxDelayMs: 20 } });
    cleanups.push(() => store.close());
    await store.appendToStream('s', [newEvent('A', {})]);
    const subscription = store.subscribe();
    const iterator = subscription[Symbol.asyncIterator]();
    while ((await iterator.next()).value?.kind !== 'caughtUp');
    await server.stop();
    const error = await iterator.next().then(
      () => undefined,
      (failure: unknown) => failure,
    );
    expect(error).toMatchObject({ code: 'STORE_UNAVAILABLE', endpoint: 'esdb://127.0.0.1:test-port' });
    expect((error as Error).message).toMatch(/3 attempts to re-subscribe failed/);
  });
});
