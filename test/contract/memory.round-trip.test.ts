import { MemoryEventStore } from '@clusterconf/adapters/memory';
import { describeEventRoundTripProperty, type ContractStoreFactory } from '@clusterconf/adapters/testing';
import { copyThroughCli } from './copy-through-cli.js';

const memoryStore: ContractStoreFactory = async () => {
  const store = new MemoryEventStore();
  return { store, cleanup: () => store.close() };
};

describeEventRoundTripProperty('memory', memoryStore, { numRuns: 200, copyLog: copyThroughCli });

// As another adapter's tests run it: the default copy, each event read back appended to a second store.
describeEventRoundTripProperty('memory, copied by appending each event', memoryStore, { numRuns: 50 });
