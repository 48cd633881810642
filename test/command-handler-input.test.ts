import * as E from 'fp-ts/lib/Either.js';
import * as t from 'io-ts';
import { describe, expect, it } from 'vitest';
import {
  createCommandHandler,
  createEventRegistry,
  defineEvent,
  EventEncodeError,
  type Decider,
  type ReadStreamOptions,
} from '@clusterconf/domain';
import { MemoryEventStore } from '@clusterconf/adapters/memory';

const Counted = defineEvent('Counted', t.type({ by: t.Int }));
const registry = createEventRegistry([Counted]);
type Event = { type: 'Counted'; data: { by: t.Int } };
/** Counts by whatever the command says, unchecked: a decider that forgets to validate its input. */
const careless: Decider<{ by: number }, number, Event, never> = {
  initialState: 0,
  evolve: (total, event) => total + event.data.by,
  decide: (command) => E.right([{ type: 'Counted', data: { by: command.by as t.Int } }]),
};
const at = { occurredAt: '2020-11-10T09:00:00Z' };

const typesIn = async (store: MemoryEventStore, streamId: string): Promise<string[]> => {
  const types: string[] = [];
  for await (const event of store.readStream(streamId)) types.push(`${event.streamRevision}:${event.type}:${JSON.stringify(event.data)}`);
  return types;
};

describe('command handler input', () => {
  it.each([
    ['a time without a zone, which means another instant in another time zone', '2020-11-10T09:00:00'],
    ['a year', '2020'],
    ['prose that Date happens to parse', 'November 10, 2020 09:00'],
    ['an impossible date', '2020-13-40T09:00:00Z'],
  ])('refuses occurredAt as %s, writing nothing', async (_label, occurredAt) => {
    const store = new MemoryEventStore();
    const handler = createCommandHandler({ store, registry, decider: careless });
    await expect(handler.handle('count-1', { by: 1 }, { occurredAt })).rejects.toThrow(/is not an RFC 3339 instant with a zone; pass e\.g\./);
    expect(await store.headPosition()).toBeUndefined();
  });

  it('takes an instant with an offset and records it in UTC', async () => {
    const store = new MemoryEventStore();
    const handler = createCommandHandler({ store, registry, decider: careless });
    await handler.handle('count-1', { by: 1 }, { occurredAt: '2020-11-10T10:00:00.5+01:00' });
    for await (const event of store.readStream('count-1')) expect(event.metadata.occurredAt).toBe('2020-11-10T09:00:00.500Z');
  });

  it('refuses an event its own codec would not read back, naming the problem, and writes nothing', async () => {
    const store = new MemoryEventStore();
    const handler = createCommandHandler({ store, registry, decider: careless });
    await handler.handle('count-1', { by: 2 }, at);
    const error = await handler.handle('count-1', { by: 1.5 }, at).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(EventEncodeError);
    expect((error as Error).message).toMatch(/Event "Counted" does not match its codec and was not written: by: .*got 1\.5/);
    expect(await typesIn(store, 'count-1')).toEqual(['0:Counted:{"by":2}']);
  });

  it.each([
    ['an empty string', ''],
    ['a number', 7],
  ])('refuses a commandId that is %s before any read', async (_label, commandId) => {
    const store = new MemoryEventStore();
    const handler = createCommandHandler({ store, registry, decider: careless });
    await expect(handler.handle('count-1', { by: 1 }, { ...at, commandId: commandId as string })).rejects.toThrow(/CommandContext\.commandId .* is not a non-empty string; pass the same string for every retry/);
    expect(await store.headPosition()).toBeUndefined();
  });

  it('records the clock\'s time, read once per command, when the context gives no occurredAt', async () => {
    const store = new MemoryEventStore();
    let ticks = 0;
    const clock = () => new Date(Date.UTC(2020, 10, 10, 9, 0, ticks++));
    const handler = createCommandHandler({ store, registry, decider: careless, clock });
    await handler.handle('count-1', { by: 1 });
    await handler.handle('count-1', { by: 2 }, { commandId: 'second' });
    const times: string[] = [];
    for await (const event of store.readStream('count-1')) times.push(event.metadata.occurredAt);
    expect(times).toEqual(['2020-11-10T09:00:00.000Z', '2020-11-10T09:00:01.000Z']);
    expect(ticks).toBe(2);
  });

  it('after a conflict, a caching handler reads only the tail the winner appended', async () => {
    const store = new MemoryEventStore();
    const handler = createCommandHandler({ store, registry, decider: careless, cacheSize: 10, baseDelayMs: 0 });
    for (let i = 0; i < 5; i++) await handler.handle('count-1', { by: 1 }, at);
    const reads: ReadStreamOptions['fromRevision'][] = [];
    const read = store.readStream.bind(store);
    store.readStream = (streamId, options) => {
      reads.push(options?.fromRevision);
      return read(streamId, options);
    };
    const append = store.appendToStream.bind(store);
    let rivalWins = true;
    store.appendToStream = async (streamId, events, options) => {
      if (rivalWins) {
        rivalWins = false;
        await append(streamId, [{ ...events[0]!, metadata: { ...events[0]!.metadata, eventId: crypto.randomUUID() } }]);
      }
      return append(streamId, events, options);
    };
    const result = await handler.handle('count-1', { by: 10 }, at);
    expect(E.isRight(result) && { attempts: result.right.attempts, state: result.right.state }).toEqual({ attempts: 2, state: 25 });
    expect(reads).toEqual([5n, 5n]);
  });
});
