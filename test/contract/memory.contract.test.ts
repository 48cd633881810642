import { MemoryEventStore } from '@clusterconf/adapters/memory';
import { describeEventStoreContract } from '@clusterconf/adapters/testing';

describeEventStoreContract('memory', async () => {
  const store = new MemoryEventStore();
  return { store, cleanup: () => store.close() };
});
