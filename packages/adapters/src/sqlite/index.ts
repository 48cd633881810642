/**
 * `SqliteEventStore` and `SqliteReadModelStore`, the embedded default: the log and the read models in one file, on
 * better-sqlite3. Needs the optional peer `better-sqlite3`.
 *
 * @module \@clusterconf/adapters/sqlite
 */
export * from './event-store/index.js';
export * from './read-model/index.js';
