export { PostgresEventStore, type PostgresEventStoreOptions } from './postgres-event-store.js';
export { POSTGRES_EVENT_STORE_MIGRATIONS, SchemaVersionError } from './migrations.js';
export { InvalidSchemaNameError } from './schema-name.js';
export { TransactionIdsAheadError } from './transaction-id-guard.js';
export { LockKeyring, MAX_LOCK_KEYS, type LockKeys } from './lock-keys.js';
export { conditionParameters } from './query-parameters.js';
