import { EventStoreDBClient } from '@eventstore/db-client';
import { afterEach, describe, expect, it } from 'vitest';
import { EventStoreDBEventStore, type EventStoreDBClientLike } from '@clusterconf/adapters/eventstoredb';
import { WrongExpectedRevisionError } from '@clusterconf/domain';
import { newEvent } from '@clusterconf/adapters/testing';
import { EventStoreDBTestServer } from './test-server/index.js';

/**
 * Stands in for @kurrent/kurrentdb-client 1.x, which is not installed here: the same calls, with `streamState` in
 * place of `expectedRevision`, forwarded to the db-client over the same wire. Like the real client it reads only
 * `streamState` and ignores an `expectedRevision` key (it would end up among the call options, unused).
 */
class KurrentDBClient implements EventStoreDBClientLike {
  readonly appendOptions: object[] = [];
  constructor(readonly inner: EventStoreDBClient) {}
  appendToStream(...[stream, events, options = {}]: Parameters<EventStoreDBClientLike['appendToStream']>) {
    this.appendOptions.push(options);
    const { streamState = 'any', expectedRevision: _ignored, ...rest } = options as { streamState?: 'any'; expectedRevision?: unknown };
    return this.inner.appendToStream(stream, events as never, { ...rest, expectedRevision: streamState });
  }
  readStream(...args: Parameters<EventStoreDBClientLike['readStream']>) {
    return this.inner.readStream(args[0], args[1]);
  }
  readAll(options?: object) {
    return this.inner.readAll(options);
  }
  subscribeToAll(options?: object) {
    return this.inner.subscribeToAll(options);
  }
  dispose() {
    return this.inner.dispose();
  }
}

/** The same client under another class name, as a renamed or wrapped KurrentDBClient would be. */
class RenamedKurrentClient extends KurrentDBClient {}

describe('EventStoreDB adapter: the seam for @kurrent/kurrentdb-client (on the test server)', () => {
  let server: EventStoreDBTestServer | undefined;
  afterEach(async () => {
    await server?.stop();
  });

  it.each([
    ['KurrentDBClient', KurrentDBClient],
    ['client under another class name', RenamedKurrentClient],
  ])('hands every precondition to a %s as streamState (and expectedRevision), whatever its class', async (_label, Client) => {
    server = new EventStoreDBTestServer();
    await server.start();
    const client = new Client(EventStoreDBClient.connectionString(server.connectionString));
    const store = new EventStoreDBEventStore(client);
    await store.appendToStream('k', [newEvent('A', {})], { expectedRevision: 'no_stream' });
    await store.appendToStream('k', [newEvent('A', {})], { expectedRevision: 'stream_exists' });
    await store.appendToStream('k', [newEvent('A', {})], { expectedRevision: 1n });
    await store.appendToStream('k', [newEvent('A', {})]);
    const conflict = await store.appendToStream('k', [newEvent('A', {})], { expectedRevision: 0n }).catch((error: unknown) => error);
    expect(conflict).toBeInstanceOf(WrongExpectedRevisionError);
    expect(conflict).toMatchObject({ expected: 0n, actual: 3n });
    expect(client.appendOptions).toEqual(
      (['no_stream', 'stream_exists', 1n, 'any', 0n] as const).map((state) => ({ streamState: state, expectedRevision: state })),
    );
    const read = [];
    for await (const event of store.readStream('k')) read.push(event.streamRevision);
    expect(read).toEqual([0n, 1n, 2n, 3n]);
    await store.close();
    await client.dispose();
  });
});
