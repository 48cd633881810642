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

/** The version recorded in the schema's history table; 0 when the schema or the table does not exist yet. */
const recordedVersion = async (client: pg.ClientBase, q: string, table: string): Promise<number> => {
  const { rows } = await client.query<{ exists: boolean }>('select to_regclass($1) is not null as exists', [`${q}.${table}`]);
  if (!rows[0]!.exists) return 0;
  const recorded = await client.query<{ version: number }>(`select coalesce(max(version), 0)::int as version from ${q}.${table}`);
  return recorded.rows[0]!.version;
};

/**
 * Creates the schema when missing and applies the versions it lacks, in one transaction under transaction-level
 * advisory locks (the schema's, shared by every history, then the history's own), so processes opening one schema at
 * once create and migrate it once, and a failing step leaves it as it was. A schema already at this code's version is
 * only read: no lock and no DDL, so a role that may use the tables but not create anything can open it.
 */
export const applyPostgresMigrations = async (client: pg.ClientBase, schema: string, q: string, plan: PostgresMigrationPlan): Promise<void> => {
  const known = plan.migrations.length;
  const found = await recordedVersion(client, q, plan.table);
  if (found > known) throw plan.tooNew(found, known);
  if (found === known) return;
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
