import { createRequire } from 'node:module';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { EventStoreDBEventStore } from '@clusterconf/adapters/eventstoredb';
import { newEvent } from '@clusterconf/adapters/testing';
import { testClientPackage } from './test-client.js';
import { EventStoreDBTestServer } from './test-server/index.js';

const kurrent = testClientPackage() === '@kurrent/kurrentdb-client';
/** The package this process runs, the other one, and a scheme that belongs to the other one. */
const own = kurrent ? '@kurrent/kurrentdb-client' : '@eventstore/db-client';
const other = kurrent ? '@eventstore/db-client' : '@kurrent/kurrentdb-client';
const otherScheme = kurrent ? 'esdb' : 'kurrentdb';

/** Whether any file of `packageName` has been loaded in this process. */
const loaded = (packageName: string): boolean => Object.keys(createRequire(import.meta.url).cache).some((file) => file.includes(`/node_modules/${packageName}/`));

const roundTrip = async (store: EventStoreDBEventStore, streamId: string): Promise<unknown[]> => {
  await store.appendToStream(streamId, [newEvent('Opened', { streamId })], { expectedRevision: 'no_stream' });
  const read = [];
  for await (const event of store.readStream(streamId)) read.push(event.data);
  return read;
};

// Runs in both vitest projects: through @eventstore/db-client (esdb://) and through @kurrent/kurrentdb-client (kurrentdb://).
describe(`EventStoreDB adapter: opening a store from a connection string, through ${own} (on the test server)`, () => {
  let server: EventStoreDBTestServer;
  const stores: EventStoreDBEventStore[] = [];
  afterEach(async () => {
    for (const store of stores.splice(0)) await store.close();
    await server.stop();
    vi.restoreAllMocks();
  });

  it(`opens ${kurrent ? 'kurrentdb://' : 'esdb://'} with ${own}, through connect() and the constructor, and never loads ${other}`, async () => {
    server = new EventStoreDBTestServer();
    await server.start();
    const connected = await EventStoreDBEventStore.connect(server.connectionString);
    const constructed = new EventStoreDBEventStore(server.connectionString);
    stores.push(connected, constructed);
    expect(await roundTrip(connected, 'through-connect')).toEqual([{ streamId: 'through-connect' }]);
    expect(await roundTrip(constructed, 'through-constructor')).toEqual([{ streamId: 'through-constructor' }]);
    expect(loaded(own)).toBe(true);
    // Loading both breaks the one loaded first: their generated gRPC messages share global names.
    expect(loaded(other)).toBe(false);
  });

  it(`opens a ${otherScheme}:// string with ${own} when clientPackage says so, rewriting only the scheme`, async () => {
    server = new EventStoreDBTestServer();
    await server.start();
    const warn = vi.spyOn(console, 'warn');
    const store = await EventStoreDBEventStore.connect(server.connectionString.replace(/^[a-z]+:/, `${otherScheme}:`), { clientPackage: own });
    stores.push(store);
    expect(await roundTrip(store, 'across-schemes')).toEqual([{ streamId: 'across-schemes' }]);
    expect(loaded(other)).toBe(false);
    // @kurrent/kurrentdb-client would warn at every connection that esdb:// is deprecated; the rewrite spares that.
    expect(warn.mock.calls.flat().join('\n')).not.toMatch(/deprecated/);
  });
});
