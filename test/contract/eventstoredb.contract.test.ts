import { EventStoreDBEventStore } from '@clusterconf/adapters/eventstoredb';
import { describeEventStoreContract } from '@clusterconf/adapters/testing';
import { describe } from 'vitest';
import { startTestServerStore } from '../eventstoredb/test-server-store.js';

// Against the in-process TEST SERVER (test/eventstoredb/test-server), not EventStoreDB: the real client over real
// gRPC, with the server side emulated from the client's own service definitions.
describeEventStoreContract(
  'EventStoreDB adapter on the in-process gRPC test server',
  async () => {
    const running = await startTestServerStore();
    return {
      store: running.store,
      reopen: running.reopen,
      fetchedEvents: running.subscriptionEventsTaken,
      corruptEvent: async (streamId, revision, column, text) =>
        running.server.log.overwrite(streamId, revision, column === 'data' ? 'data' : 'customMetadata', Buffer.from(text)),
      cleanup: running.cleanup,
    };
  },
  { corruptRows: true, eventIdScope: 'stream', exactCountLimit: 10_000 },
);

const connectionString = process.env.EVENTSTORE_CONNECTION_STRING;
if (!connectionString) {
  console.warn(
    '\n!!! NOT RUNNING the EventStoreDB contract suite against a real server: EVENTSTORE_CONNECTION_STRING is not set. ' +
      'Only the in-process test server was used. Start one with\n' +
      '    docker run -p 2113:2113 eventstore/eventstore:latest --insecure --run-projections=All\n' +
      'and run with EVENTSTORE_CONNECTION_STRING=esdb://localhost:2113?tls=false\n',
  );
}

describe.runIf(connectionString)('real EventStoreDB server (EVENTSTORE_CONNECTION_STRING)', () => {
  describeEventStoreContract('EventStoreDB adapter on a real server', async () => {
    const store = new EventStoreDBEventStore(connectionString!);
    return { store, reopen: async () => new EventStoreDBEventStore(connectionString!), cleanup: () => store.close() };
  }, { eventIdScope: 'stream', exactCountLimit: 10_000 });
});
