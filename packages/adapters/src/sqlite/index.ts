/**
 * `SqliteEventStore`, `SqliteReadModelStore` and `SqliteKeyStore`, the embedded default: the log, the read models and the keys in one file, on
 * better-sqlite3. Needs the optional peer `better-sqlite3`.
 *
 * @module \@clusterconf/adapters/sqlite
 */
export * from './event-store/index.js';
export * from './read-model/index.js';
export * from './key-store/index.js';
