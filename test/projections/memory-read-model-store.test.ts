import { MemoryReadModelStore } from '@clusterconf/projections';
import { readModelStoreContract } from './fixtures/read-model-store-contract.js';

// The memory store keeps its state in its instance: no peer over the same database, and no SQL. JSON.stringify's
// own TypeError is what a document JSON cannot hold is refused with.
readModelStoreContract('memory', {
  open: async () => new MemoryReadModelStore(),
  notJsonError: TypeError,
  cleanUp: async () => undefined,
});
