/**
 * `EventStoreDBEventStore` over gRPC, from a connection string or a client you hand in (`@eventstore/db-client` 6 or
 * `@kurrent/kurrentdb-client` 1). Needs the optional peer `@eventstore/db-client` either way.
 *
 * @module \@clusterconf/adapters/eventstoredb
 */
export * from './client/index.js';
export * from './event-store/index.js';
