import { startTestServerStore } from '../eventstoredb/test-server-store.js';
import { describeEventRoundTripProperty } from '@clusterconf/adapters/testing';

// Through @kurrent/kurrentdb-client against the in-process TEST SERVER, not KurrentDB: its reads decode data and
// metadata in its Rust bridge and its own JavaScript, not as @eventstore/db-client does, so the round trip is its own.
describeEventRoundTripProperty('EventStoreDB adapter through @kurrent/kurrentdb-client on the in-process gRPC test server', async () => {
  const running = await startTestServerStore({ clientPackage: '@kurrent/kurrentdb-client' });
  return { store: running.store, cleanup: running.cleanup };
}, { numRuns: 150 });
