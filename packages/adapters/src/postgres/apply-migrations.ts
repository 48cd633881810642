import type pg from 'pg';

/** One schema step: SQL for the quoted schema name it is given. */
export type PostgresMigration = (quotedSchema: string) => string;

/** What `applyPostgresMigrations` needs to know about one schema history. */
export interface PostgresMigrationPlan {
  /** Names the advisory lock, together with the schema, so only migrators of the same history wait for each other. */
  readonly lockName: string;
  /** The table, inside the schema, that records applied versions. */
  readonly table: string;
  readonly migrations: readonly PostgresMigration[];
  /** The error for a schema written by newer code. */
  readonly tooNew: (found: number, known: number) => Error;
}

/**
 * Creates the schema when missing and applies the versions it lacks, in one transaction under a transaction-level
 * advisory lock, so processes opening one schema at once migrate it once and a failing step leaves it as it was.
 */
export const applyPostgresMigrations = async (client: pg.ClientBase, schema: string, q: string, plan: PostgresMigrationPlan): Promise<void> => {
  const known = plan.migrations.length;
  await client.query('begin');
  try {
    await client.query('select pg_advisory_xact_lock(hashtextextended($1, 0))', [`${plan.lockName}:${schema}`]);
    await client.query(`create schema if not exists ${q}`);
    await client.query(`create table if not exists ${q}.${plan.table} (
      version    integer primary key,
      applied_at timestamptz not null default now()
    )`);
    const { rows } = await client.query<{ version: number }>(`select coalesce(max(version), 0)::int as version from ${q}.${plan.table}`);
    const current = rows[0]!.version;
    if (current > known) throw plan.tooNew(current, known);
    for (let version = current + 1; version <= known; version++) {
      await client.query(plan.migrations[version - 1]!(q));
      await client.query(`insert into ${q}.${plan.table} (version) values ($1)`, [version]);
    }
    await client.query('commit');
  } catch (error) {
    await client.query('rollback').catch(() => undefined);
    throw error;
  }
};
