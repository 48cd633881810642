import { afterEach, describe, expect, it } from 'vitest';
import { AppendPositionUnknownError, type EventStoreDBEventStoreOptions } from '@clusterconf/adapters/eventstoredb';
import { InvalidEventError, type RecordedEvent, StreamDeletedError, StreamNotFoundError, WrongExpectedRevisionError } from '@clusterconf/domain';
import { newEvent } from '@clusterconf/adapters/testing';
import type { EventStoreDBTestServerOptions } from './test-server/index.js';
import { startTestServerStore, type TestServerStore } from './test-server-store.js';

const collect = async <T>(iterable: AsyncIterable<T>): Promise<T[]> => {
  const items: T[] = [];
  for await (const item of iterable) items.push(item);
  return items;
};

const rejection = async (promise: Promise<unknown>): Promise<unknown> => promise.then(() => new Error('expected a rejection'), (error: unknown) => error);

const MIB = 1_048_576;

// Every case runs the real @eventstore/db-client against the in-process TEST SERVER, which follows EventStoreDB's
// IndexWriter.CheckCommit and gRPC Append/BatchAppend for what is asserted here.
describe('EventStoreDB adapter: append size, idempotency and soft-delete rules (on the test server)', () => {
  const running: TestServerStore[] = [];
  const start = async (server: EventStoreDBTestServerOptions = {}, store: EventStoreDBEventStoreOptions = {}) => {
    const started = await startTestServerStore(server, store);
    running.push(started);
    return started;
  };
  afterEach(async () => {
    for (const started of running.splice(0)) await started.cleanup();
  });

  describe('--max-append-size counts the whole append', () => {
    it('refuses two 700 KiB events in one append before sending, naming the limit, the size and --max-append-size', async () => {
      const { store, server } = await start();
      const big = 'x'.repeat(700 * 1024);
      const error = await rejection(store.appendToStream('big', [newEvent('A', { big }), newEvent('A', { big })]));
      expect(error).toBeInstanceOf(InvalidEventError);
      const message = (error as Error).message;
      expect(message).toContain(`limit of ${MIB} bytes`);
      expect(message).toMatch(/the append is 14\d{5} bytes/);
      expect(message).toContain('--max-append-size');
      expect(server.log.all).toEqual([]);
    });

    it('counts the metadata the adapter adds ($correlationId, $causationId): an event just under 1 MiB without it is refused', async () => {
      const { store, server } = await start();
      const kernelMetadata = JSON.stringify(newEvent('A', {}).metadata).length;
      // Within maxEventBytes (data plus the kernel's metadata), over 1 MiB once the adapter's metadata is added.
      const data = 'y'.repeat(MIB - kernelMetadata - 20);
      const error = await rejection(store.appendToStream('near', [newEvent('A', data)]));
      expect(error).toBeInstanceOf(InvalidEventError);
      expect((error as Error).message).toContain('$correlationId');
      expect(server.log.all).toEqual([]);
    });

    it.each([
      ['BatchAppend', true],
      ['Append', false],
    ])('maps the server’s refusal over %s to InvalidEventError with the limit and the advice', async (_label, advertiseBatchAppend) => {
      const { store, server } = await start({ advertiseBatchAppend }, { maxAppendBytes: 10 * MIB });
      const big = 'x'.repeat(700 * 1024);
      const error = await rejection(store.appendToStream('big', [newEvent('A', { big }), newEvent('A', { big })]));
      expect(error).toBeInstanceOf(InvalidEventError);
      expect(error).toMatchObject({ code: 'INVALID_EVENT', streamId: 'big' });
      expect((error as Error).message).toContain(`--max-append-size of ${MIB} bytes`);
      expect((error as Error).message).toContain('maxAppendBytes');
      expect(server.log.all).toEqual([]);
    });

    it('the adapter and the server count the same bytes: an append of exactly the limit passes both, one byte more neither', async () => {
      const measuring = await start();
      const event = (data: string) => newEvent('Sized', { data });
      await measuring.store.appendToStream('m', [event('z'.repeat(1000)), event('z'.repeat(1000))]);
      const exact = measuring.server.log.all.reduce((size, record) => size + record.data.length + record.customMetadata.length + 2 * record.type.length, 0);

      const atLimit = await start({ maxAppendSize: exact }, { maxAppendBytes: exact });
      expect((await atLimit.store.appendToStream('s', [event('z'.repeat(1000)), event('z'.repeat(1000))])).nextExpectedRevision).toBe(1n);
      expect(await rejection(atLimit.store.appendToStream('t', [event('z'.repeat(1000)), event('z'.repeat(1001))]))).toBeInstanceOf(InvalidEventError);

      const serverOnly = await start({ maxAppendSize: exact - 1 }, { maxAppendBytes: 10 * MIB });
      expect((await rejection(serverOnly.store.appendToStream('s', [event('z'.repeat(1000)), event('z'.repeat(1000))])) as Error).message).toContain(
        `--max-append-size of ${exact - 1} bytes`,
      );
      expect(serverOnly.server.log.all).toEqual([]);
    });
  });

  describe("idempotency: reliable only with 'no_stream' or an exact revision", () => {
    it("answers an 'any' retry from EventStoreDB's id cache, in any order, without writing", async () => {
      const { store, server } = await start();
      const batch = [newEvent('A', {}), newEvent('A', {})];
      const original = await store.appendToStream('home', batch);
      const reversed = await store.appendToStream('home', [batch[1]!, batch[0]!]);
      // EventStoreDB returns the revision of the last id it looked up: here the first event's.
      expect(reversed.nextExpectedRevision).toBe(0n);
      expect((await store.appendToStream('home', batch, { expectedRevision: 'stream_exists' })).nextExpectedRevision).toBe(original.nextExpectedRevision);
      expect(server.log.all.length).toBe(2);
    });

    it("writes an 'any' retry again once its ids left the bounded cache, while a 'no_stream' retry is still recognised", async () => {
      const { store } = await start({ idempotencyCacheSize: 2 });
      const first = [newEvent('A', { n: 1 })];
      const original = await store.appendToStream('s', first, { expectedRevision: 'no_stream' });
      await store.appendToStream('other', [newEvent('B', {}), newEvent('B', {})]);
      expect(await store.appendToStream('s', first, { expectedRevision: 'no_stream' })).toEqual(original);
      expect((await store.appendToStream('s', first)).nextExpectedRevision).toBe(1n);
      expect((await collect(store.readStream('s'))).map((e) => e.metadata.eventId)).toEqual([first[0]!.metadata.eventId, first[0]!.metadata.eventId]);
    });

    it.each([
      ['BatchAppend', true],
      ['Append', false],
    ])('reads the position back when the server answers a retry over %s without one', async (_label, advertiseBatchAppend) => {
      const { store } = await start({ advertiseBatchAppend, idempotentAppendPosition: false });
      const batch = [newEvent('A', { i: 0 }), newEvent('A', { i: 1 })];
      const original = await store.appendToStream('s', batch, { expectedRevision: 'no_stream' });
      await store.appendToStream('s', [newEvent('B', {})]);
      const retried = await store.appendToStream('s', batch, { expectedRevision: 'no_stream' });
      expect(retried).toEqual(original);
      const read: RecordedEvent[] = await collect(store.readStream('s'));
      expect(retried.position).toEqual(read[1]!.position);
    });

    it('says the events are stored but the position is unknown when that event cannot be read back', async () => {
      const { store, client } = await start({ idempotentAppendPosition: false });
      const batch = [newEvent('A', {})];
      await store.appendToStream('s', batch, { expectedRevision: 'no_stream' });
      await client.deleteStream('s');
      const error = await rejection(store.appendToStream('s', batch, { expectedRevision: 'no_stream' }));
      expect(error).toBeInstanceOf(AppendPositionUnknownError);
      expect(error).toMatchObject({ code: 'APPEND_POSITION_UNKNOWN', streamId: 's', revision: 0n });
      expect((error as Error).message).toMatch(/is stored/);
    });
  });

  describe('soft-deleted streams, as EventStoreDB treats them', () => {
    it('expecting the last revision before the soft delete writes the stream again after it', async () => {
      const { store, client } = await start();
      await store.appendToStream('soft', [newEvent('A', {})]);
      await client.deleteStream('soft');
      const again = await store.appendToStream('soft', [newEvent('B', {})], { expectedRevision: 0n });
      expect(again.nextExpectedRevision).toBe(1n);
      expect((await collect(store.readStream('soft'))).map((e) => [e.type, e.streamRevision])).toEqual([['B', 1n]]);
    });

    it("refuses 'stream_exists' on a soft-deleted stream as a missing stream, and on a tombstoned one as deleted", async () => {
      const { store, client } = await start();
      await store.appendToStream('soft', [newEvent('A', {})]);
      await client.deleteStream('soft');
      const soft = await rejection(store.appendToStream('soft', [newEvent('B', {})], { expectedRevision: 'stream_exists' }));
      expect(soft).toBeInstanceOf(WrongExpectedRevisionError);
      expect(soft).toMatchObject({ expected: 'stream_exists', actual: undefined });
      expect(await rejection(collect(store.readStream('soft')))).toBeInstanceOf(StreamNotFoundError);

      await store.appendToStream('gone', [newEvent('A', {})]);
      await client.tombstoneStream('gone');
      expect(await rejection(store.appendToStream('gone', [newEvent('B', {})], { expectedRevision: 'stream_exists' }))).toBeInstanceOf(StreamDeletedError);
    });
  });
});
