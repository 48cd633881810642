export { SqliteEventStore, type SqliteEventStoreOptions } from './sqlite-event-store.js';
export { SchemaTooNewError, SQLITE_EVENT_STORE_MIGRATIONS, type SqliteMigration } from './schema-migrations.js';
