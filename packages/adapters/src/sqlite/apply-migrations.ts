import type { Database } from 'better-sqlite3';

/** One step of a schema, applied once, in version order, inside the transaction that records it. */
export interface SqliteMigration {
  readonly version: number;
  readonly name: string;
  readonly sql: string;
}

/**
 * Brings a schema to its newest known version, recording each step in `table`. Runs in one BEGIN IMMEDIATE
 * transaction, so two processes opening a new file at once do not both migrate, and a failing step leaves the
 * previous version intact. A database newer than the code is refused with the error `tooNew` makes.
 */
export const applySqliteMigrations = (
  db: Database,
  table: string,
  migrations: readonly SqliteMigration[],
  tooNew: (found: number, known: number) => Error,
): number => {
  const known = migrations.reduce((max, m) => Math.max(max, m.version), 0);
  const migrate = db.transaction(() => {
    db.exec(`CREATE TABLE IF NOT EXISTS ${table} (
      version    INTEGER PRIMARY KEY,
      name       TEXT    NOT NULL,
      applied_at TEXT    NOT NULL
    )`);
    const current = (db.prepare(`SELECT coalesce(max(version), 0) FROM ${table}`).pluck().get() as number) ?? 0;
    if (current > known) throw tooNew(current, known);
    const record = db.prepare(`INSERT INTO ${table} (version, name, applied_at) VALUES (?, ?, ?)`);
    for (const migration of [...migrations].sort((a, b) => a.version - b.version)) {
      if (migration.version <= current) continue;
      db.exec(migration.sql);
      record.run(migration.version, migration.name, new Date().toISOString());
    }
    return known;
  });
  return migrate.immediate();
};
