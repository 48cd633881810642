import pg from 'pg';

/** Whether the benchmark database answers within 3 s; suites leave their PostgreSQL rows out when it does not. */
export const postgresReachable = async (url: string): Promise<boolean> => {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 3000 });
  try {
    await client.connect();
    return true;
  } catch {
    return false;
  } finally {
    await client.end().catch(() => undefined);
  }
};
