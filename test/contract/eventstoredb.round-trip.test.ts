import { describeEventRoundTripProperty } from '@clusterconf/adapters/testing';
import { startTestServerStore } from '../eventstoredb/test-server-store.js';
import { copyThroughCli } from './copy-through-cli.js';

// Against the in-process TEST SERVER (test/eventstoredb/test-server), not EventStoreDB: the real client over real
// gRPC, so what the client and the adapter do to data and metadata on the way is what is tested.
describeEventRoundTripProperty('EventStoreDB adapter on the in-process gRPC test server', async () => {
  const running = await startTestServerStore();
  return { store: running.store, cleanup: running.cleanup };
}, { numRuns: 150, copyLog: copyThroughCli });
