export { PostgresKeyStore, type PostgresKeyStoreOptions } from './postgres-key-store.js';
export { KeyStoreSchemaTooNewError } from '../../shared/key-store-errors.js';
