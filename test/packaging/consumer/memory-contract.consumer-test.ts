// A third party's adapter tests as they would be written outside this repository: the published contract suites,
// run by the consumer's own vitest against the memory stores (standing in for the third party's adapter).
import { MemoryEventStore } from '@clusterconf/adapters/memory';
import { describeEventStoreContract, describeReadModelStoreContract } from '@clusterconf/adapters/testing';
import { MemoryReadModelStore } from '@clusterconf/projections';

describeEventStoreContract('a memory event store, from the installed kit', async () => {
  const store = new MemoryEventStore();
  return { store, cleanup: () => store.close() };
});

describeReadModelStoreContract('a memory read-model store, from the installed kit', {
  open: async () => new MemoryReadModelStore(),
  cleanup: async () => undefined,
});
