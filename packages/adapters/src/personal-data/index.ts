/**
 * Crypto-shredding: `withPersonalData` wraps any event store so the registry's `personal` fields are stored
 * encrypted under per-subject keys and read back opened, or `Forgotten` once `forgetSubject` deleted the key. The key
 * stores are `MemoryKeyStore` here, `SqliteKeyStore` in `@clusterconf/adapters/sqlite` and `PostgresKeyStore` in
 * `@clusterconf/adapters/postgres`.
 *
 * @module \@clusterconf/adapters/personal-data
 */
export { withPersonalData, sealedStoreOf, type PersonalDataOptions } from './personal-data-event-store.js';
export { MemoryKeyStore } from './memory-key-store.js';
