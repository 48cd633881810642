import { describe, expect, it } from 'vitest';
import { CorruptEventError, sequencePosition, type RecordedEvent, type Subscription, type SubscriptionMessage } from '@clusterconf/domain';
import { catchUpSubscription, type LogSource } from './catch-up-subscription.js';
import { takeReadyEventOf } from '@clusterconf/projections/fast-path';

const recorded = (n: number): RecordedEvent => ({
  streamId: 'conference-a',
  streamRevision: BigInt(n - 1),
  position: sequencePosition(BigInt(n)),
  type: 'A',
  data: {},
  metadata: { eventId: `00000000-0000-7000-8000-${String(n).padStart(12, '0')}`, occurredAt: '2020-11-10T09:00:00Z', correlationId: 'c', causationId: 'c', schemaVersion: 1 },
  tags: [],
});

/** A source over rows 1..n (one page each of `pageSize`) whose rows in `bad` do not parse; `placeable` gives them a place. */
const withBadRows = (n: number, bad: readonly number[], placeable = true): LogSource<number> => ({
  readPage: async (after, limit) => {
    const from = Number(after?.commit ?? 0n);
    const events = Array.from({ length: Math.max(0, Math.min(limit, n - from)) }, (_, i) => from + i + 1);
    return { events, scannedUpTo: events.length > 0 ? sequencePosition(BigInt(events.at(-1)!)) : after, full: events.length === limit };
  },
  decodeRow: (row) => {
    if (bad.includes(row)) throw new CorruptEventError('conference-a', BigInt(row - 1), String(row), 'its data column is not valid JSON');
    return recorded(row);
  },
  unreadableRow: (row, error) => {
    if (!placeable) throw error;
    return { streamId: 'conference-a', streamRevision: BigInt(row - 1), position: sequencePosition(BigInt(row)), type: 'A', error };
  },
  waitForEventsAfter: async () => undefined,
});

const label = (message: SubscriptionMessage): string =>
  message.kind === 'event' ? `event ${message.event.position.commit}`
  : message.kind === 'unreadable' ? `unreadable ${message.event.position.commit} ${message.event.type} ${message.event.error.code}`
  : `${message.kind} ${message.position?.commit}`;

describe('catchUpSubscription', () => {
  it('ends and releases itself when the store fails to read a page, after delivering what came before', async () => {
    let reads = 0;
    const source: LogSource = {
      readPage: async () => {
        if (reads++ === 0) return { events: [recorded(1)], scannedUpTo: sequencePosition(1n), full: true };
        throw new CorruptEventError('conference-a', 1n, '2', 'its data column is not valid JSON');
      },
      waitForEventsAfter: async () => undefined,
    };
    const released: Subscription[] = [];
    const subscription = catchUpSubscription(source, { pageSize: 1 }, (s) => released.push(s));
    const iterator = subscription[Symbol.asyncIterator]();
    expect(await iterator.next()).toMatchObject({ done: false, value: { kind: 'event', event: { position: { commit: 1n } } } });
    await expect(iterator.next()).rejects.toBeInstanceOf(CorruptEventError);
    expect(released).toEqual([subscription]);
    expect(await iterator.next()).toEqual({ done: true, value: undefined });
    await subscription.close();
    expect(released).toHaveLength(1);
  });

  it('says it is caught up again after events that filled a whole page, when the next page finds nothing', async () => {
    const log = [recorded(1)];
    const source: LogSource = {
      readPage: async (after, limit) => {
        const events = log.filter((event) => event.position.commit > (after?.commit ?? 0n)).slice(0, limit);
        return { events, scannedUpTo: events.at(-1)?.position, full: events.length === limit };
      },
      // Only asked once the subscription has delivered all it read; by then the test has appended the next event.
      waitForEventsAfter: async () => undefined,
    };
    const subscription = catchUpSubscription(source, { pageSize: 1 });
    const iterator = subscription[Symbol.asyncIterator]();
    const kinds: string[] = [];
    const pull = async (count: number) => {
      for (let i = 0; i < count; i++) {
        const { value } = await iterator.next();
        kinds.push(value.kind === 'event' ? `event ${value.event.position.commit}` : `${value.kind} ${value.position?.commit}`);
      }
    };
    await pull(2);
    log.push(recorded(2));
    await pull(2);
    expect(kinds).toEqual(['event 1', 'caughtUp 1', 'event 2', 'caughtUp 2']);
    await subscription.close();
  });

  it('reads the next page only after the consumer has taken the previous one', async () => {
    const asked: bigint[] = [];
    const source: LogSource = {
      readPage: async (after, limit) => {
        const from = after?.commit ?? 0n;
        asked.push(from);
        const events = Array.from({ length: limit }, (_, i) => recorded(Number(from) + i + 1));
        return { events, scannedUpTo: events.at(-1)!.position, full: true };
      },
      waitForEventsAfter: async () => undefined,
    };
    const subscription = catchUpSubscription(source, { pageSize: 3 });
    const iterator = subscription[Symbol.asyncIterator]();
    for (let i = 0; i < 4; i++) await iterator.next();
    expect(asked).toEqual([0n, 3n]);
    await subscription.close();
    expect(asked).toEqual([0n, 3n]);
  });

  it('decodes rows only as it delivers them, and ends at a row it cannot decode after the rows before it', async () => {
    const decoded: number[] = [];
    const source: LogSource<number> = {
      readPage: async () => ({ events: [1, 2, 3], scannedUpTo: sequencePosition(3n), full: false }),
      decodeRow: (row) => {
        if (row === 2) throw new CorruptEventError('conference-a', 1n, '2', 'its data column is not valid JSON');
        decoded.push(row);
        return recorded(row);
      },
      waitForEventsAfter: async () => undefined,
    };
    const released: Subscription[] = [];
    const subscription = catchUpSubscription(source, { pageSize: 3 }, (s) => released.push(s));
    const iterator = subscription[Symbol.asyncIterator]();
    expect(await iterator.next()).toMatchObject({ done: false, value: { kind: 'event', event: { position: { commit: 1n } } } });
    expect(decoded).toEqual([1]);
    await expect(iterator.next()).rejects.toBeInstanceOf(CorruptEventError);
    expect(decoded).toEqual([1]);
    expect(released).toEqual([subscription]);
    expect(await iterator.next()).toEqual({ done: true, value: undefined });
  });

  it('sends a checkpoint for a scan past the last match, then caught up once, and ends a wait on close', async () => {
    let reads = 0;
    const source: LogSource = {
      readPage: async () => (reads++ === 0 ? { events: [recorded(1)], scannedUpTo: sequencePosition(5n), full: false } : { events: [], scannedUpTo: undefined, full: false }),
      waitForEventsAfter: (_after, signal) => new Promise((resolve) => signal.addEventListener('abort', () => resolve(), { once: true })),
    };
    const subscription = catchUpSubscription(source, { pageSize: 10 });
    const iterator = subscription[Symbol.asyncIterator]();
    const kinds = [];
    for (let i = 0; i < 3; i++) kinds.push((await iterator.next()).value);
    expect(kinds).toMatchObject([
      { kind: 'event', event: { position: { commit: 1n } } },
      { kind: 'checkpoint', position: { commit: 5n } },
      { kind: 'caughtUp', position: { commit: 5n } },
    ]);
    const waiting = iterator.next();
    await subscription.close();
    expect(await waiting).toEqual({ done: true, value: undefined });
  });

  it('hands over the events of the page in hand through takeReady, in order with what the iterator delivers', async () => {
    const pages = [[1, 2, 3], [4, 5]];
    const source: LogSource<number> = {
      readPage: async () => {
        const events = pages.shift() ?? [];
        return { events, scannedUpTo: events.length > 0 ? sequencePosition(BigInt(events.at(-1)!)) : undefined, full: pages.length > 0 };
      },
      decodeRow: (row) => {
        if (row === 5) throw new CorruptEventError('conference-a', 4n, '5', 'its data column is not valid JSON');
        return recorded(row);
      },
      waitForEventsAfter: async () => undefined,
    };
    const subscription = catchUpSubscription(source, { pageSize: 3 });
    const iterator = subscription[Symbol.asyncIterator]();
    // Nothing is in hand before the first read.
    expect(takeReadyEventOf(subscription)!()).toBeUndefined();
    const positions: bigint[] = [];
    const event = (message: unknown) => (message as { event: RecordedEvent }).event.position.commit;
    positions.push(event((await iterator.next()).value));
    positions.push(takeReadyEventOf(subscription)!()!.position.commit);
    positions.push(event((await iterator.next()).value));
    // The page is used up: the next event needs a read, which only the iterator does.
    expect(takeReadyEventOf(subscription)!()).toBeUndefined();
    positions.push(event((await iterator.next()).value));
    expect(positions).toEqual([1n, 2n, 3n, 4n]);
    // A row that does not parse throws from takeReady as the iterator would reject, and ends the subscription.
    expect(() => takeReadyEventOf(subscription)!()).toThrow(CorruptEventError);
    expect(takeReadyEventOf(subscription)!()).toBeUndefined();
    expect(await iterator.next()).toEqual({ done: true, value: undefined });
  });
  it('delivers a row the store can place but not read as an unreadable message in its place, and goes on', async () => {
    const subscription = catchUpSubscription(withBadRows(5, [2, 3]), { pageSize: 2 });
    const iterator = subscription[Symbol.asyncIterator]();
    const labels: string[] = [];
    while (labels.at(-1)?.startsWith('caughtUp') !== true) labels.push(label((await iterator.next()).value as SubscriptionMessage));
    expect(labels).toEqual([
      'event 1', 'unreadable 2 A CORRUPT_EVENT', 'unreadable 3 A CORRUPT_EVENT', 'event 4', 'event 5', 'caughtUp 5',
    ]);
    await subscription.close();
  });

  it('moves its checkpoint over an unreadable row at the end of the log', async () => {
    const subscription = catchUpSubscription(withBadRows(2, [2]), { pageSize: 10 });
    const iterator = subscription[Symbol.asyncIterator]();
    const labels: string[] = [];
    for (let i = 0; i < 3; i++) labels.push(label((await iterator.next()).value as SubscriptionMessage));
    expect(labels).toEqual(['event 1', 'unreadable 2 A CORRUPT_EVENT', 'caughtUp 2']);
    await subscription.close();
  });

  it('ends at a row the store cannot even place, after the rows before it', async () => {
    const released: Subscription[] = [];
    const subscription = catchUpSubscription(withBadRows(3, [2], false), { pageSize: 3 }, (s) => released.push(s));
    const iterator = subscription[Symbol.asyncIterator]();
    expect(label((await iterator.next()).value as SubscriptionMessage)).toBe('event 1');
    await expect(iterator.next()).rejects.toBeInstanceOf(CorruptEventError);
    expect(released).toEqual([subscription]);
    expect(await iterator.next()).toEqual({ done: true, value: undefined });
  });

  it('takeReady leaves an unreadable row to the iterator, then takes the events after it', async () => {
    const subscription = catchUpSubscription(withBadRows(4, [2]), { pageSize: 4 });
    const iterator = subscription[Symbol.asyncIterator]();
    expect(label((await iterator.next()).value as SubscriptionMessage)).toBe('event 1');
    expect(takeReadyEventOf(subscription)!()).toBeUndefined();
    expect(takeReadyEventOf(subscription)!()).toBeUndefined();
    expect(label((await iterator.next()).value as SubscriptionMessage)).toBe('unreadable 2 A CORRUPT_EVENT');
    expect(takeReadyEventOf(subscription)!()!.position.commit).toBe(3n);
    expect(takeReadyEventOf(subscription)!()!.position.commit).toBe(4n);
    expect(label((await iterator.next()).value as SubscriptionMessage)).toBe('caughtUp 4');
    await subscription.close();
  });
});
