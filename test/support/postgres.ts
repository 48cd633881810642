import pg from 'pg';

/** Connection settings for the test database; PG* environment variables override them. */
export const postgresConfig = {
  host: process.env.PGHOST ?? '127.0.0.1',
  port: Number(process.env.PGPORT ?? 5432),
  user: process.env.PGUSER ?? 'postgres',
  database: process.env.PGDATABASE ?? 'test',
};

/** The connection string of the test database. */
export const postgresUrl = `postgres://${postgresConfig.user}@${postgresConfig.host}:${postgresConfig.port}/${postgresConfig.database}`;

const probe = async (): Promise<string | undefined> => {
  const client = new pg.Client({ ...postgresConfig, connectionTimeoutMillis: 3000 });
  try {
    await client.connect();
    await client.query('select 1');
    return undefined;
  } catch (error) {
    return (error as Error).message;
  } finally {
    await client.end().catch(() => undefined);
  }
};

/**
 * Whether the PostgreSQL suites run. In CI (`CI` set) an unreachable database is a failure, never a skip; elsewhere
 * the suites skip and say so loudly.
 */
export const postgresAvailable: boolean = await (async () => {
  const problem = await probe();
  if (problem === undefined) return true;
  if (process.env.CI) {
    throw new Error(`PostgreSQL at ${postgresUrl} is unreachable in CI (${problem}); CI must run the PostgreSQL suites. ` +
      `Start it with: pg_ctlcluster --skip-systemctl-redirect 15 main start`);
  }
  console.warn(`\n!!! SKIPPING PostgreSQL suites: ${postgresUrl} is unreachable (${problem}). Set PG* variables or start PostgreSQL.\n`);
  return false;
})();

/** A fresh schema name, so suites running in parallel never share tables. */
export const uniqueSchema = (prefix: string): string => `${prefix}_${process.pid}_${Math.random().toString(36).slice(2, 8)}`;

/** Drops a schema made by a test. */
export const dropSchema = async (schema: string): Promise<void> => {
  const client = new pg.Client(postgresConfig);
  await client.connect();
  try {
    await client.query(`drop schema if exists "${schema}" cascade`);
  } finally {
    await client.end();
  }
};
