import { MemoryEventStore } from '@clusterconf/adapters/memory';
import { describeEventStoreContract } from './event-store-contract.js';

describeEventStoreContract('memory', async () => {
  const store = new MemoryEventStore();
  return { store, cleanup: () => store.close() };
});
