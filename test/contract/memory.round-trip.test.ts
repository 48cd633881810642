import { MemoryEventStore } from '@clusterconf/adapters/memory';
import { describeEventRoundTripProperty } from './event-round-trip-property.js';

describeEventRoundTripProperty('memory', async () => {
  const store = new MemoryEventStore();
  return { store, cleanup: () => store.close() };
}, { numRuns: 200 });
