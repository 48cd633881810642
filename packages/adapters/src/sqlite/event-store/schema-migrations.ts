import type { Database } from 'better-sqlite3';
import { ClusterconfError } from '@clusterconf/domain';

/** One step of the schema, applied once, in version order, inside the transaction that records it. */
export interface SqliteMigration {
  readonly version: number;
  readonly name: string;
  readonly sql: string;
}

/**
 * The event store's schema history. Never edit a released step; append a new one.
 *
 * - `position` is an AUTOINCREMENT rowid: SQLite never hands out a position twice, even when the last row is removed
 *   by hand (for instance while repairing a corrupt event), so stored checkpoints can never point at a reused number.
 * - There is no separate streams table: the current revision is `max(stream_revision)` over the
 *   UNIQUE(stream_id, stream_revision) index, an O(log n) lookup, and one row per event is the only write an append
 *   makes, so there is no second table to keep consistent.
 * - `event_id` is UNIQUE so that a retried append can never store an event twice, whatever the caller checks.
 */
export const SQLITE_EVENT_STORE_MIGRATIONS: readonly SqliteMigration[] = [
  {
    version: 1,
    name: 'create events',
    sql: `
      CREATE TABLE events (
        position        INTEGER PRIMARY KEY AUTOINCREMENT,
        stream_id       TEXT    NOT NULL,
        stream_revision INTEGER NOT NULL,
        event_id        TEXT    NOT NULL UNIQUE,
        type            TEXT    NOT NULL,
        data            TEXT    NOT NULL,
        metadata        TEXT    NOT NULL,
        UNIQUE (stream_id, stream_revision)
      );
    `,
  },
];

/** The database was written by a newer version of @clusterconf than the one opening it. */
export class SchemaTooNewError extends ClusterconfError {
  readonly code = 'SCHEMA_TOO_NEW';
  constructor(readonly path: string, readonly found: number, readonly known: number) {
    super(
      `The SQLite event store at ${path} has schema version ${found}, but this version of @clusterconf/adapters knows ` +
        `versions up to ${known}: upgrade @clusterconf/adapters, or open a copy made before the upgrade`,
    );
  }
}

/**
 * Brings the schema to the newest known version. Runs in one BEGIN IMMEDIATE transaction, so two processes opening a
 * new file at once do not both migrate, and a failing step leaves the previous version intact.
 */
export const migrateSqliteEventStore = (
  db: Database,
  path: string,
  migrations: readonly SqliteMigration[] = SQLITE_EVENT_STORE_MIGRATIONS,
): number => {
  const known = migrations.reduce((max, m) => Math.max(max, m.version), 0);
  const migrate = db.transaction(() => {
    db.exec(`CREATE TABLE IF NOT EXISTS schema_migrations (
      version    INTEGER PRIMARY KEY,
      name       TEXT    NOT NULL,
      applied_at TEXT    NOT NULL
    )`);
    const current = (db.prepare('SELECT coalesce(max(version), 0) FROM schema_migrations').pluck().get() as number) ?? 0;
    if (current > known) throw new SchemaTooNewError(path, current, known);
    const record = db.prepare('INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)');
    for (const migration of [...migrations].sort((a, b) => a.version - b.version)) {
      if (migration.version <= current) continue;
      db.exec(migration.sql);
      record.run(migration.version, migration.name, new Date().toISOString());
    }
    return known;
  });
  return migrate.immediate();
};
