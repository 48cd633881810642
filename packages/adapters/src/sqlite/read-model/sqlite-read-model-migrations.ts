import type { Database } from 'better-sqlite3';
import { ReadModelSchemaTooNewError } from '../../shared/read-model/read-model-errors.js';
import { applySqliteMigrations, type SqliteMigration } from '../apply-migrations.js';

/** One step of the read-model schema. */
export type SqliteReadModelMigration = SqliteMigration;

/**
 * The read-model schema history. Never edit a released step; append a new one. Every table starts with
 * `read_model_`, so the tables can share a file with the event store (whose tables are `events` and
 * `schema_migrations`) and can never be mistaken for a namespace's own tables (`<name>_v<version>_…`).
 *
 * - One `read_model_documents` table holds every namespace: the primary key leads with the namespace, so each
 *   projection version is one contiguous key range of a WITHOUT ROWID B-tree. A blue/green build writes only its
 *   own range, readers of the live version never see its rows, and the switch is one row of
 *   `read_model_active_versions`. One table keeps every statement prepared once, with no table names built at run time.
 * - Checkpoints and dead-letter positions are text (`formatPosition`), so EventStoreDB's commit/prepare pairs fit.
 */
export const SQLITE_READ_MODEL_MIGRATIONS: readonly SqliteReadModelMigration[] = [
  {
    version: 1,
    name: 'create read-model tables',
    sql: `
      CREATE TABLE read_model_documents (
        namespace  TEXT NOT NULL,
        collection TEXT NOT NULL,
        id         TEXT NOT NULL,
        body       TEXT NOT NULL,
        PRIMARY KEY (namespace, collection, id)
      ) WITHOUT ROWID;
      CREATE TABLE read_model_checkpoints (
        namespace TEXT PRIMARY KEY,
        position  TEXT NOT NULL
      ) WITHOUT ROWID;
      CREATE TABLE read_model_dead_letters (
        namespace       TEXT NOT NULL,
        position        TEXT NOT NULL,
        stream_id       TEXT NOT NULL,
        stream_revision TEXT NOT NULL,
        event_type      TEXT NOT NULL,
        data            TEXT NOT NULL,
        metadata        TEXT NOT NULL,
        error_code      TEXT NOT NULL,
        error_message   TEXT NOT NULL,
        recorded_at     TEXT NOT NULL,
        PRIMARY KEY (namespace, position)
      ) WITHOUT ROWID;
      CREATE TABLE read_model_active_versions (
        projection TEXT PRIMARY KEY,
        version    INTEGER NOT NULL
      ) WITHOUT ROWID;
    `,
  },
];

/** Brings the read-model tables to the newest known version; see `applySqliteMigrations`. */
export const migrateSqliteReadModel = (
  db: Database,
  location: string,
  migrations: readonly SqliteReadModelMigration[] = SQLITE_READ_MODEL_MIGRATIONS,
): number =>
  applySqliteMigrations(db, 'read_model_schema_migrations', migrations, (found, known) => new ReadModelSchemaTooNewError(location, found, known));
