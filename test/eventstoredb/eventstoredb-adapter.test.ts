import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  AccessDeniedError,
  CorruptEventError,
  formatPosition,
  parsePosition,
  type RecordedEvent,
  StreamDeletedError,
  StreamNotFoundError,
} from '@clusterconf/domain';
import { newEvent } from '@clusterconf/adapters/testing';
import { startTestServerStore, type TestServerStore } from './test-server-store.js';

const collect = async <T>(iterable: AsyncIterable<T>): Promise<T[]> => {
  const items: T[] = [];
  for await (const item of iterable) items.push(item);
  return items;
};

const rejection = async (promise: Promise<unknown>): Promise<unknown> => promise.then(() => new Error('expected a rejection'), (error: unknown) => error);

// Every case runs the real client (@eventstore/db-client, or @kurrent/kurrentdb-client in vitest's kurrentdb-client
// project) against the in-process TEST SERVER, not against EventStoreDB.
describe('EventStoreDB adapter: behaviour beyond the contract (on the test server)', () => {
  let running: TestServerStore;
  beforeEach(async () => {
    running = await startTestServerStore({ deniedStreamPrefixes: ['secret-'] });
  });
  afterEach(async () => {
    await running.cleanup();
  });

  it('maps a tombstoned stream to StreamDeletedError on read and on append, and leaves its $streamDeleted record out of $all', async () => {
    const { store, client } = running;
    await store.appendToStream('gone', [newEvent('A', {})]);
    await client.tombstoneStream('gone');
    expect(await rejection(collect(store.readStream('gone')))).toMatchObject({ code: 'STREAM_DELETED', streamId: 'gone' });
    const append = await rejection(store.appendToStream('gone', [newEvent('A', {})]));
    expect(append).toBeInstanceOf(StreamDeletedError);
    expect((await collect(store.readAll())).map((e) => e.type)).toEqual(['A']);
    expect(running.server.log.all.map((record) => record.type)).toEqual(['A', '$streamDeleted']);
  });

  it('reads a soft-deleted stream as not found, keeps system records out of reads, and headPosition skips them', async () => {
    const { store, client } = running;
    const written = await store.appendToStream('soft', [newEvent('A', {})]);
    await client.deleteStream('soft');
    expect(await rejection(collect(store.readStream('soft')))).toBeInstanceOf(StreamNotFoundError);
    expect(await store.headPosition()).toEqual(written.position);
    const again = await store.appendToStream('soft', [newEvent('B', {})], { expectedRevision: 'no_stream' });
    expect(again.nextExpectedRevision).toBe(1n);
    expect((await collect(store.readStream('soft'))).map((e) => [e.type, e.streamRevision])).toEqual([['B', 1n]]);
    expect((await collect(store.readAll())).map((e) => e.streamId)).toEqual(['soft', 'soft']);
  });

  it('maps access-denied on append and on read to AccessDeniedError naming operation and stream', async () => {
    const append = await rejection(running.store.appendToStream('secret-plans', [newEvent('A', {})]));
    expect(append).toBeInstanceOf(AccessDeniedError);
    expect(append).toMatchObject({ operation: 'append', target: 'secret-plans' });
    expect(await rejection(collect(running.store.readStream('secret-plans')))).toMatchObject({ code: 'ACCESS_DENIED', operation: 'read' });
  });

  it('carries EventStoreDB commit/prepare positions unchanged, and they survive the checkpoint text form', async () => {
    await running.store.appendToStream('pos', [newEvent('A', { i: 0 }), newEvent('A', { i: 1 })]);
    const events = await collect(running.store.readAll());
    expect(events.map((e) => e.position)).toEqual(running.server.log.all.map((record) => record.position));
    for (const event of events) expect(parsePosition(formatPosition(event.position))).toEqual(event.position);
    expect(events[1]!.position.commit).toBeGreaterThan(0n);
  });

  it('stores eventId as the EventStoreDB event id and correlation/causation under EventStoreDB’s own metadata keys', async () => {
    const event = newEvent('A', { i: 0 });
    await running.store.appendToStream('ids', [event]);
    const [record] = running.server.log.all;
    expect(record!.id).toBe(event.metadata.eventId);
    expect(JSON.parse(Buffer.from(record!.customMetadata).toString('utf8'))).toMatchObject({
      $correlationId: event.metadata.correlationId,
      $causationId: event.metadata.causationId,
      schemaVersion: 1,
    });
    const [read] = await collect(running.store.readStream('ids'));
    expect(read!.metadata).toEqual(event.metadata);
  });

  it('round-trips string payloads, and names stream, revision and type of an event whose data is not JSON', async () => {
    await running.store.appendToStream('texts', [newEvent('Note', 'just a string')]);
    expect((await collect(running.store.readStream('texts')))[0]!.data).toBe('just a string');
    const { jsonEvent, binaryEvent } = running.clientModule;
    await running.client.appendToStream('binary', [jsonEvent({ type: 'Fine', data: { ok: true } }), binaryEvent({ type: 'Blob', data: Buffer.from([1, 2, 3]) })]);
    const read: RecordedEvent[] = [];
    const error = await rejection((async () => {
      for await (const event of running.store.readStream('binary')) read.push(event);
    })());
    expect(read.map((e) => e.type)).toEqual(['Fine']);
    expect(error).toBeInstanceOf(CorruptEventError);
    expect(error).toMatchObject({ streamId: 'binary', streamRevision: 1n });
    expect((error as Error).message).toMatch(/"Blob"/);

    // A subscription delivers it in its place, named and typed, and goes on.
    await running.store.appendToStream('binary', [newEvent('After', {})]);
    const subscription = running.store.subscribe({ filter: { streamPrefixes: ['binary'] } });
    const messages = [];
    for await (const message of subscription) {
      messages.push(message);
      if (message.kind === 'caughtUp') break;
    }
    await subscription.close();
    expect(messages.map((m) => (m.kind === 'event' ? m.event.type : m.kind === 'unreadable' ? `unreadable ${m.event.type}` : m.kind)))
      .toEqual(['Fine', 'unreadable Blob', 'After', 'caughtUp']);
    const blob = running.server.log.all.find((record) => record.type === 'Blob')!;
    expect(messages[1]).toMatchObject({ event: { streamId: 'binary', streamRevision: 1n, position: blob.position, error: { code: 'CORRUPT_EVENT' } } });
  });

  it('fills the metadata of events written by other producers from EventStoreDB’s own record', async () => {
    const before = Date.now();
    await running.client.appendToStream('foreign', running.clientModule.jsonEvent({ type: 'Legacy', data: { n: 1 } }));
    const [event] = await collect(running.store.readStream('foreign'));
    const record = running.server.log.all[0]!;
    expect(event!.metadata).toMatchObject({ eventId: record.id, correlationId: record.id, causationId: record.id, schemaVersion: 1 });
    // occurredAt is the record's created time, which the server sends as ticks since the Unix epoch. The KurrentDB
    // client's reads (through its Rust bridge) report it to the whole second, @eventstore/db-client's to the millisecond.
    const precision = running.clientModule.packageName === '@kurrent/kurrentdb-client' ? 1000 : 1;
    const occurredAt = Date.parse(event!.metadata.occurredAt);
    expect(occurredAt).toBeGreaterThanOrEqual(Math.floor(before / precision) * precision);
    expect(occurredAt).toBeLessThanOrEqual(Date.now());
  });

  it('passes on the server’s checkpoints, one per 32 scanned events, while a filter matches nothing', async () => {
    for (let batch = 0; batch < 10; batch++) {
      await running.store.appendToStream(`other-${batch}`, Array.from({ length: 10 }, (_, i) => newEvent('Other', { i })));
    }
    await running.store.appendToStream('wanted', [newEvent('Wanted', {})]);
    const log = running.server.log.all;
    const subscription = running.store.subscribe({ filter: { eventTypes: ['Wanted'] } });
    const messages = [];
    for await (const message of subscription) {
      messages.push(message);
      if (message.kind === 'caughtUp') break;
    }
    expect(messages.map((m) => (m.kind === 'event' ? m.event.type : m.kind))).toEqual(['checkpoint', 'checkpoint', 'checkpoint', 'Wanted', 'caughtUp']);
    expect(messages.slice(0, 3).map((m) => (m.kind === 'checkpoint' ? m.position : undefined))).toEqual([log[31]!.position, log[63]!.position, log[95]!.position]);
    expect(messages[4]).toEqual({ kind: 'caughtUp', position: log[100]!.position });
  });

  it('a subscription filtered by stream prefix delivers only matching user events, with checkpoints past the rest', async () => {
    const { store, client } = running;
    await store.appendToStream('vote-1', [newEvent('VoteCast', { i: 0 })]);
    await store.appendToStream('conference-1', [newEvent('Scheduled', { i: 1 })]);
    await client.tombstoneStream('conference-1');
    const head = running.server.log.all.at(-1)!.position;
    const subscription = store.subscribe({ filter: { streamPrefixes: ['vote-', 'conference-'] } });
    const messages = [];
    for await (const message of subscription) {
      messages.push(message);
      if (message.kind === 'caughtUp') break;
    }
    expect(messages.flatMap((m) => (m.kind === 'event' ? [m.event.type] : []))).toEqual(['VoteCast', 'Scheduled']);
    // The tombstone's $streamDeleted record matches the prefix on the server; the adapter drops it, and the
    // checkpoint still moves past it.
    expect(messages.at(-1)).toEqual({ kind: 'caughtUp', position: head });
  });

  it('reads long streams across its 1,000-event pages, forwards and backwards, with maxCount and a system event at a page edge', async () => {
    const { store, client } = running;
    for (let i = 0; i < 2500; i += 250) {
      await store.appendToStream('long', Array.from({ length: 250 }, (_, j) => newEvent('Numbered', { n: i + j })));
    }
    // A system record inside the stream, at revision 2500: never returned, and never counted against maxCount.
    await client.appendToStream('long', running.clientModule.jsonEvent({ type: '$system-note', data: {} }));
    await store.appendToStream('long', [newEvent('Numbered', { n: 2501 })]);
    const revisions = async (options: Parameters<typeof store.readStream>[1]) => (await collect(store.readStream('long', options))).map((e) => Number(e.streamRevision));
    const range = (from: number, to: number) => Array.from({ length: Math.abs(to - from) + 1 }, (_, i) => (from <= to ? from + i : from - i));

    expect(await revisions({})).toEqual([...range(0, 2499), 2501]);
    expect(await revisions({ maxCount: 2100 })).toEqual(range(0, 2099));
    expect(await revisions({ fromRevision: 1500n, maxCount: 1001 })).toEqual(range(1500, 2500).filter((r) => r !== 2500).concat([2501]));
    expect(await revisions({ direction: 'backwards', maxCount: 1500 })).toEqual([2501, ...range(2499, 1001)]);
    expect(await revisions({ direction: 'backwards', fromRevision: 999n })).toEqual(range(999, 0));
    // Stopping early leaves nothing open: the store still closes promptly (the cleanup would hang otherwise).
    for await (const _event of store.readStream('long')) break;
  });
});
