import { InvalidDocumentError, MemoryReadModelStore } from '@clusterconf/projections';
import { readModelStoreContract } from './fixtures/read-model-store-contract.js';

// The memory store keeps its state in its instance: no peer over the same database, and no SQL. A document JSON
// cannot hold is refused with the same InvalidDocumentError as the SQL stores use.
readModelStoreContract('memory', {
  open: async () => new MemoryReadModelStore(),
  notJsonError: InvalidDocumentError,
  cleanUp: async () => undefined,
});
