import type { Database } from 'better-sqlite3';
import { ClusterconfError } from '@clusterconf/domain';
import { applySqliteMigrations, type SqliteMigration } from '../apply-migrations.js';

export type { SqliteMigration };

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
  {
    // Tags: the event's own list in `events.tags` (JSON text in the order given; NULL for none, so untagged rows
    // cost nothing and reads parse nothing for them), and one `event_tags` row per tag for queries, keyed (the tag
    // with the event's type, `tagKey` in shared/query-scans.ts; position): all events of a type with a tag after a
    // position are one range of the key, read in position order, and the keys of one tag sort together. The column
    // keeps its name `tag`. WITHOUT ROWID stores the key as the row, so the index is the table: one b-tree insert per tag.
    version: 2,
    name: 'event tags',
    sql: `
      ALTER TABLE events ADD COLUMN tags TEXT;
      CREATE TABLE event_tags (
        tag      TEXT    NOT NULL,
        position INTEGER NOT NULL,
        PRIMARY KEY (tag, position)
      ) WITHOUT ROWID;
    `,
  },
];

/** The database was written by a newer version of `@clusterconf` than the one opening it. */
export class SchemaTooNewError extends ClusterconfError {
  readonly code = 'SCHEMA_TOO_NEW';
  constructor(readonly path: string, readonly found: number, readonly known: number) {
    super(
      `The SQLite event store at ${path} has schema version ${found}, but this version of @clusterconf/adapters knows ` +
        `versions up to ${known}: upgrade @clusterconf/adapters, or open a copy made before the upgrade`,
    );
  }
}

/** Brings the event store's schema to the newest known version; see `applySqliteMigrations`. */
export const migrateSqliteEventStore = (
  db: Database,
  path: string,
  migrations: readonly SqliteMigration[] = SQLITE_EVENT_STORE_MIGRATIONS,
): number => applySqliteMigrations(db, 'schema_migrations', migrations, (found, known) => new SchemaTooNewError(path, found, known));
