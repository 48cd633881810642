import { createServer } from 'node:net';
import { describe, expect, it } from 'vitest';
import { AccessDeniedError, StoreUnavailableError } from '@clusterconf/domain';
import { PostgresEventStore } from '@clusterconf/adapters/postgres';
import { newEvent } from '@clusterconf/adapters/testing';
import { dropSchema, postgresAvailable, postgresConfig, uniqueSchema } from '../support/postgres.js';
import { collect, openStore, rawClient } from './fixtures.js';

/** A TCP port on which nothing listens: bound once, then released. */
const closedPort = (): Promise<number> =>
  new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address !== null ? address.port : 0));
    });
  });

const failure = (promise: Promise<unknown>): Promise<unknown> =>
  promise.then(
    () => {
      throw new Error('expected open to fail');
    },
    (error: unknown) => error,
  );

describe('PostgreSQL connection failures', () => {
  it('an unreachable port gives StoreUnavailableError naming host, port and database with the password masked', async () => {
    const port = await closedPort();
    const error = await failure(PostgresEventStore.open({ connectionString: `postgres://app:s3cret-pw@127.0.0.1:${port}/events`, schema: 'unused' }));
    expect(error).toBeInstanceOf(StoreUnavailableError);
    const message = (error as Error).message;
    expect(message).toContain(`127.0.0.1:${port}/events`);
    expect(message).toContain('app:****@');
    expect(message).not.toContain('s3cret-pw');
    expect(message).toMatch(/check that PostgreSQL is running/);
    expect(error).toMatchObject({ code: 'STORE_UNAVAILABLE' });
  });

  describe.skipIf(!postgresAvailable)('against the test server', () => {
    it('a database that does not exist gives StoreUnavailableError saying so', async () => {
      const { user, host, port } = postgresConfig;
      const error = await failure(PostgresEventStore.open({ connectionString: `postgres://${user}@${host}:${port}/no_such_db_clusterconf`, schema: 'unused' }));
      expect(error).toBeInstanceOf(StoreUnavailableError);
      expect((error as Error).message).toMatch(/no_such_db_clusterconf.*does not exist/);
    });

    it('a pool with no free connection gives StoreUnavailableError on reads and appends, saying what to raise', async () => {
      const schema = uniqueSchema('saturated');
      const store = await openStore(schema, { poolSize: 1, connectionTimeoutMillis: 300 });
      const locker = await rawClient();
      try {
        await store.appendToStream('s', [newEvent('A', {})]);
        // An append waiting for the stream's lock holds the pool's only connection.
        await locker.query('begin');
        await locker.query(`select * from "${schema}".streams where stream_id = 's' for update`);
        const blocked = store.appendToStream('s', [newEvent('A', {})]);
        for (let waiting = false; !waiting; ) {
          const watcher = await rawClient();
          const { rowCount } = await watcher.query("select 1 from pg_stat_activity where wait_event_type = 'Lock' and query like $1", [
            `%"${schema}".append_events%`,
          ]);
          await watcher.end();
          waiting = (rowCount ?? 0) > 0;
        }
        for (const attempt of [collect(store.readAll()), store.headPosition(), collect(store.readStream('s')), store.appendToStream('t', [newEvent('B', {})])]) {
          const error = await failure(attempt);
          expect(error).toBeInstanceOf(StoreUnavailableError);
          expect((error as Error).message).toMatch(/timeout exceeded when trying to connect.*raise poolSize or connectionTimeoutMillis/);
        }
        await locker.query('rollback');
        await blocked;
      } finally {
        await locker.end();
        await store.close();
        await dropSchema(schema);
      }
    });

    it('a role the server does not know gives AccessDeniedError without the password', async () => {
      const { host, port, database } = postgresConfig;
      const error = await failure(PostgresEventStore.open({ connectionString: `postgres://no_such_role_cc:pw@${host}:${port}/${database}`, schema: 'unused' }));
      expect(error).toBeInstanceOf(AccessDeniedError);
      expect((error as Error).message).not.toContain(':pw@');
    });
  });
});
