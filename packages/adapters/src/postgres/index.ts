/**
 * `PostgresEventStore`, `PostgresReadModelStore` and `PostgresKeyStore` on pg, one schema per store. Needs the optional peer `pg`.
 *
 * @module \@clusterconf/adapters/postgres
 */
export * from './event-store/index.js';
export * from './read-model/index.js';
export * from './key-store/index.js';
