import type { Database } from 'better-sqlite3';
import { KeyStoreSchemaTooNewError } from '../../shared/key-store-errors.js';
import { applySqliteMigrations, type SqliteMigration } from '../apply-migrations.js';

/**
 * The key store's schema history, kept apart from the event store's (its own table of applied versions), so keys can
 * live in the event store's file or in a file of their own. Never edit a released step; append a new one.
 *
 * - One row per subject: its key while it has one, then, once forgotten, no key and the time it was forgotten; the
 *   CHECK keeps exactly one of the two, so a forgotten subject can never hold a key again.
 * - WITHOUT ROWID: the subject is the only way in, so the table is its primary-key index.
 */
const SQLITE_KEY_STORE_MIGRATIONS: readonly SqliteMigration[] = [
  {
    version: 1,
    name: 'create personal_data_keys',
    sql: `
      CREATE TABLE personal_data_keys (
        subject      TEXT PRIMARY KEY,
        key          BLOB,
        created_at   TEXT,
        forgotten_at TEXT,
        CHECK ((key IS NULL) = (forgotten_at IS NOT NULL))
      ) WITHOUT ROWID;
    `,
  },
];

/** Brings the key store's tables to the newest known version, in one immediate transaction. */
export const migrateSqliteKeyStore = (db: Database, where: string): number =>
  applySqliteMigrations(db, 'personal_data_key_migrations', SQLITE_KEY_STORE_MIGRATIONS, (found, known) => new KeyStoreSchemaTooNewError(where, found, known));
