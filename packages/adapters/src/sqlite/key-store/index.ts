export { SqliteKeyStore, type SqliteKeyStoreOptions } from './sqlite-key-store.js';
export { KeyStoreSchemaTooNewError } from '../../shared/key-store-errors.js';
