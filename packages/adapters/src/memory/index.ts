/**
 * `MemoryEventStore`: the event store in memory, for tests and short-lived programs (its read-model store is
 * `MemoryReadModelStore` in `@clusterconf/projections`).
 *
 * @module \@clusterconf/adapters/memory
 */
export { MemoryEventStore, type MemoryEventStoreOptions } from './memory-event-store.js';
