import { EventStoreDBEventStore } from '@clusterconf/adapters/eventstoredb';
import { describe } from 'vitest';
import { startTestServerStore } from '../eventstoredb/test-server-store.js';
import { describeEventStoreContract } from '@clusterconf/adapters/testing';

// The EventStoreDB adapter through @kurrent/kurrentdb-client 1.x, against the in-process TEST SERVER
// (test/eventstoredb/test-server), not KurrentDB: the real client over real gRPC, its appends and subscriptions from
// its JavaScript gRPC code, its reads through its Rust bridge (@kurrent/bridge), both served by the test server built
// from the client's own service definitions. This file runs in a process of its own: the two client packages cannot
// share one (see test/eventstoredb/test-server/grpc-definitions.ts).
describeEventStoreContract(
  'EventStoreDB adapter through @kurrent/kurrentdb-client on the in-process gRPC test server',
  async () => {
    const running = await startTestServerStore({ clientPackage: '@kurrent/kurrentdb-client' });
    return {
      store: running.store,
      // A second store opened from the kurrentdb:// string, the way applications open it.
      reopen: () => EventStoreDBEventStore.connect(running.server.connectionString),
      fetchedEvents: running.subscriptionEventsTaken,
      corruptEvent: async (streamId, revision, column, text) =>
        running.server.log.overwrite(streamId, revision, column === 'data' ? 'data' : 'customMetadata', Buffer.from(text)),
      cleanup: running.cleanup,
    };
  },
  { corruptRows: true, eventIdScope: 'stream', exactCountLimit: 10_000 },
);

const connectionString = process.env.KURRENTDB_CONNECTION_STRING;
if (!connectionString) {
  console.warn(
    '\n!!! NOT RUNNING the contract suite through @kurrent/kurrentdb-client against a real server: KURRENTDB_CONNECTION_STRING ' +
      'is not set. Only the in-process test server was used. Start KurrentDB with\n' +
      '    docker run -p 2113:2113 docker.kurrent.io/kurrent-latest/kurrentdb:latest --insecure --run-projections=All\n' +
      'and run with KURRENTDB_CONNECTION_STRING=kurrentdb://localhost:2113?tls=false\n',
  );
}

describe.runIf(connectionString)('real KurrentDB server (KURRENTDB_CONNECTION_STRING)', () => {
  describeEventStoreContract('EventStoreDB adapter through @kurrent/kurrentdb-client on a real server', async () => {
    const store = await EventStoreDBEventStore.connect(connectionString!, { clientPackage: '@kurrent/kurrentdb-client' });
    return { store, reopen: () => EventStoreDBEventStore.connect(connectionString!, { clientPackage: '@kurrent/kurrentdb-client' }), cleanup: () => store.close() };
  }, { eventIdScope: 'stream', exactCountLimit: 10_000 });
});
