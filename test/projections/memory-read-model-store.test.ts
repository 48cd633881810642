import { MemoryReadModelStore } from '@clusterconf/projections';
import { describeReadModelStoreContract } from '@clusterconf/adapters/testing';

// The memory store keeps its state in its instance: no peer over the same database (so no lease cases), and no SQL.
// A document JSON cannot hold is refused with the port's InvalidDocumentError, as the SQL stores refuse it.
describeReadModelStoreContract('memory', {
  open: async () => new MemoryReadModelStore(),
  cleanup: async () => undefined,
});
