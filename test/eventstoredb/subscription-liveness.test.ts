import { afterEach, describe, expect, it } from 'vitest';
import type { SubscriptionMessage } from '@clusterconf/domain';
import { newEvent } from '@clusterconf/adapters/testing';
import { startTestServerStore, type TestServerStore } from './test-server-store.js';

/** The next message, or 'nothing' when none comes within `ms`. */
const nextWithin = async (iterator: AsyncIterator<SubscriptionMessage>, ms: number): Promise<SubscriptionMessage | 'nothing'> => {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<'nothing'>((resolve) => (timer = setTimeout(() => resolve('nothing'), ms)));
  const pending = iterator.next().then((result) => (result.done ? ('nothing' as const) : result.value));
  try {
    return await Promise.race([pending, timeout]);
  } finally {
    clearTimeout(timer);
  }
};

const until = async (condition: () => boolean, what: string): Promise<void> => {
  const deadline = Date.now() + 10_000;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
};

const label = (message: SubscriptionMessage | 'nothing') => (message === 'nothing' ? message : message.kind === 'event' ? message.event.type : message.kind);

// On the in-process TEST SERVER, which can emulate a subscriber falling behind and servers without caught-up.
describe('EventStoreDB adapter: subscription liveness (on the test server)', () => {
  let running: TestServerStore | undefined;
  afterEach(async () => {
    await running?.cleanup();
    running = undefined;
  });

  it('says no caughtUp after the server reports it fell behind, until the server says caught-up again', async () => {
    running = await startTestServerStore();
    const { store, server } = running;
    await store.appendToStream('s', [newEvent('A', {})]);
    const subscription = store.subscribe();
    const iterator = subscription[Symbol.asyncIterator]();
    expect([label(await nextWithin(iterator, 5_000)), label(await nextWithin(iterator, 5_000))]).toEqual(['A', 'caughtUp']);

    const catchUp = server.fallBehind();
    await store.appendToStream('s', [newEvent('B', {}), newEvent('C', {})]);
    expect([label(await nextWithin(iterator, 5_000)), label(await nextWithin(iterator, 5_000))]).toEqual(['B', 'C']);
    // The server is re-reading history: a lull now is not a caught-up moment.
    expect(label(await nextWithin(iterator, 300))).toBe('nothing');

    catchUp();
    const caughtUp = await nextWithin(iterator, 5_000);
    expect(caughtUp).toMatchObject({ kind: 'caughtUp', position: server.log.all.at(-1)!.position });
    await subscription.close();
  });

  it('starts counting reconnect attempts afresh once a re-subscribe is confirmed, for a filter that rarely matches', async () => {
    // A server before 23.10 (no caught-up) and a filter that matches nothing yet: no event, checkpoint or caught-up
    // ever says the connection works again, only the subscription's confirmation.
    running = await startTestServerStore({ sendCaughtUp: false }, { reconnect: { maxAttempts: 3, initialDelayMs: 20, maxDelayMs: 200 } });
    const { store, server } = running;
    await store.appendToStream('s', [newEvent('Common', {})]);
    const subscription = store.subscribe({ filter: { eventTypes: ['Rare'] } });
    const iterator = subscription[Symbol.asyncIterator]();
    const first = iterator.next();
    await until(() => server.subscriptionsOpened === 1, 'the first subscription');

    for (let outage = 1; outage <= 4; outage++) {
      const opened = server.subscriptionsOpened;
      await server.stop();
      await server.start();
      await until(() => server.subscriptionsOpened > opened, `the re-subscription after outage ${outage}`);
    }

    await store.appendToStream('s', [newEvent('Rare', { n: 1 })]);
    const received = await first;
    expect(received.done).toBe(false);
    expect(received.value).toMatchObject({ kind: 'event', event: { type: 'Rare', data: { n: 1 } } });
    await subscription.close();
  });
});
