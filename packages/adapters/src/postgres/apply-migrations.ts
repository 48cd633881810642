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
 * The lock every history takes before creating its schema. `create schema if not exists` is not safe against a
 * concurrent creation of the same schema (the loser fails on pg_namespace's unique index, 23505), and the event store
 * and the read-model store keep their own histories under their own locks: without this shared one, the two opened
 * at once on a new schema race to create it.
 */
const SCHEMA_LOCK = 'clusterconf-schema';

/**
 * Creates the schema when missing and applies the versions it lacks, in one transaction under transaction-level
 * advisory locks (the schema's, shared by every history, then the history's own), so processes opening one schema at
 * once create and migrate it once, and a failing step leaves it as it was.
 */
export const applyPostgresMigrations = async (client: pg.ClientBase, schema: string, q: string, plan: PostgresMigrationPlan): Promise<void> => {
  const known = plan.migrations.length;
  await client.query('begin');
  try {
    // The schema's lock first, then the history's: the history's lock is kept so code that predates the shared lock
    // still waits for this migration; both are held to commit, so a waiter sees the schema and tables once it runs.
    await client.query('select pg_advisory_xact_lock(hashtextextended($1, 0))', [`${SCHEMA_LOCK}:${schema}`]);
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
