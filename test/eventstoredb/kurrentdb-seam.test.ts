import { afterEach, describe, expect, it } from 'vitest';
import { EventStoreDBEventStore, type EventStoreDBClientLike } from '@clusterconf/adapters/eventstoredb';
import { WrongExpectedRevisionError } from '@clusterconf/domain';
import { newEvent } from '@clusterconf/adapters/testing';
import { loadTestClient, type TestClient } from './test-client.js';
import { EventStoreDBTestServer } from './test-server/index.js';

/**
 * A client under a class name of its own, as a wrapped or renamed client would be: it records the append options and
 * hands every call to the real client of this test process (@eventstore/db-client, which reads `expectedRevision`,
 * or @kurrent/kurrentdb-client, which reads `streamState`).
 */
class WrappedClient implements EventStoreDBClientLike {
  readonly appendOptions: object[] = [];
  constructor(readonly inner: TestClient) {}
  appendToStream(...[stream, events, options = {}]: Parameters<EventStoreDBClientLike['appendToStream']>) {
    this.appendOptions.push(options);
    return this.inner.appendToStream(stream, events, options);
  }
  readStream(...args: Parameters<EventStoreDBClientLike['readStream']>) {
    return this.inner.readStream(...args);
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

describe('EventStoreDB adapter: the seam between @eventstore/db-client and @kurrent/kurrentdb-client (on the test server)', () => {
  let server: EventStoreDBTestServer | undefined;
  afterEach(async () => {
    await server?.stop();
  });

  it('hands every precondition to a client of any class under both names, and the real client enforces it', async () => {
    server = new EventStoreDBTestServer();
    await server.start();
    const client = new WrappedClient((await loadTestClient(server.clientPackage)).connect(server.connectionString));
    const store = new EventStoreDBEventStore(client);
    await store.appendToStream('k', [newEvent('A', {})], { expectedRevision: 'no_stream' });
    await store.appendToStream('k', [newEvent('A', {})], { expectedRevision: 'stream_exists' });
    await store.appendToStream('k', [newEvent('A', {})], { expectedRevision: 1n });
    await store.appendToStream('k', [newEvent('A', {})]);
    const conflict = await store.appendToStream('k', [newEvent('A', {})], { expectedRevision: 0n }).catch((error: unknown) => error);
    expect(conflict).toBeInstanceOf(WrongExpectedRevisionError);
    expect(conflict).toMatchObject({ expected: 0n, actual: 3n });
    const missing = await store.appendToStream('k', [newEvent('A', {})], { expectedRevision: 'no_stream' }).catch((error: unknown) => error);
    expect(missing).toMatchObject({ expected: 'no_stream', actual: 3n });
    expect(client.appendOptions).toEqual(
      (['no_stream', 'stream_exists', 1n, 'any', 0n, 'no_stream'] as const).map((state) => ({ streamState: state, expectedRevision: state })),
    );
    const read = [];
    for await (const event of store.readStream('k')) read.push(event.streamRevision);
    expect(read).toEqual([0n, 1n, 2n, 3n]);
    await store.close();
    await client.dispose();
  });
});
