import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { PostgresReadModelStore } from '@clusterconf/adapters/postgres';
import { dropSchema, postgresAvailable, postgresConfig, postgresUrl, uniqueSchema } from '../support/postgres.js';
import { blueGreenWithoutHalfBuiltReads } from './fixtures/blue-green-scenario.js';
import { batchOf, readModelStoreContract } from './fixtures/read-model-store-contract.js';

const withClient = async <T>(work: (client: pg.Client) => Promise<T>): Promise<T> => {
  const client = new pg.Client(postgresConfig);
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
};

let schema = uniqueSchema('rm_contract');

describe.skipIf(!postgresAvailable)('PostgreSQL read-model store', () => {
  readModelStoreContract('PostgreSQL', {
    open: () => PostgresReadModelStore.open({ connectionString: postgresUrl, schema, poolSize: 3, leaseHeartbeatMs: 200 }),
    openPeer: () => PostgresReadModelStore.open({ connectionString: postgresUrl, schema, poolSize: 3, leaseHeartbeatMs: 200 }),
    createTableSql: (table) => `create table ${table} (k text primary key, n integer not null)`,
    insertRowSql: (table) => `insert into ${table} (k, n) values ($1, $2)`,
    countRows: (table) =>
      withClient(async (client) => {
        const exists = await client.query('select 1 from pg_tables where schemaname = $1 and tablename = $2', [schema, table]);
        if (exists.rowCount === 0) return undefined;
        const { rows } = await client.query<{ n: number }>(`select count(*)::int as n from "${schema}"."${table}"`);
        return rows[0]!.n;
      }),
    cleanUp: async () => {
      await dropSchema(schema);
      schema = uniqueSchema('rm_contract');
    },
  });

  describe('PostgresReadModelStore specifics', () => {
    it('shares a caller-owned pool, leaves it open on close and refuses an unsafe schema name', async () => {
      const own = uniqueSchema('rm_pool');
      const pool = new pg.Pool({ ...postgresConfig, max: 2 });
      try {
        const store = await PostgresReadModelStore.open({ pool, schema: own });
        await store.commitBatch(batchOf('votes_v1', { changes: [{ kind: 'upsert', collection: 'tally', id: 'b1', document: { votes: 3 } }], checkpoint: { commit: 7n, prepare: 7n } }));
        await store.close();
        const { rows } = await pool.query(`select body from "${own}".read_model_documents where namespace = 'votes_v1'`);
        expect(rows).toEqual([{ body: { votes: 3 } }]);
        await expect(PostgresReadModelStore.open({ pool, schema: 'x"; drop schema public' })).rejects.toMatchObject({ code: 'INVALID_SCHEMA_NAME' });
      } finally {
        await pool.end();
        await dropSchema(own);
      }
    });

    it('builds a new version blue/green beside the live one; readers never see it half built', async () => {
      const own = uniqueSchema('rm_bluegreen');
      try {
        await blueGreenWithoutHalfBuiltReads({ backend: 'postgres', connectionString: postgresUrl, schema: own });
      } finally {
        await dropSchema(own);
      }
    });

    it('commits batches asynchronously unless synchronousCommit is on', async () => {
      const own = uniqueSchema('rm_sync');
      const setting = async (options: { synchronousCommit?: 'on' | 'off' }, namespace: string): Promise<string> => {
        const store = await PostgresReadModelStore.open({ connectionString: postgresUrl, schema: own, ...options });
        try {
          // A queued statement cannot read, but it can store what the batch's transaction sees.
          await store.commitBatch(batchOf(namespace, {
            statements: [
              { text: `create table ${namespace}_settings (k text primary key, n integer not null)`, params: [] },
              { text: `insert into ${namespace}_settings (k, n) select current_setting('synchronous_commit'), 1`, params: [] },
            ],
            checkpoint: { commit: 1n, prepare: 1n },
          }));
          const { rows } = await store.pool.query<{ k: string }>(`select k from "${own}".${namespace}_settings`);
          return rows[0]!.k;
        } finally {
          await store.close();
        }
      };
      try {
        expect(await setting({}, 'a_v1')).toBe('off');
        expect(await setting({ synchronousCommit: 'on' }, 'b_v1')).toBe('on');
        await expect(PostgresReadModelStore.open({ connectionString: postgresUrl, schema: own, synchronousCommit: 'sometimes' as 'on' })).rejects.toBeInstanceOf(RangeError);
      } finally {
        await dropSchema(own);
      }
    });

    it('loses a lease whose session is terminated, and frees it for another holder', async () => {
      const own = uniqueSchema('rm_lease');
      const store = await PostgresReadModelStore.open({ connectionString: postgresUrl, schema: own, poolSize: 2, leaseHeartbeatMs: 100 });
      const peer = await PostgresReadModelStore.open({ connectionString: postgresUrl, schema: own, poolSize: 2, leaseHeartbeatMs: 100 });
      try {
        const lease = await store.acquireLease('talks_v1', 'a');
        expect(lease).toBeDefined();
        const lost = new Promise<unknown>((resolve) => lease!.lost.addEventListener('abort', () => resolve(lease!.lost.reason), { once: true }));
        await withClient((client) =>
          client.query("select pg_terminate_backend(pid) from pg_stat_activity where application_name = 'clusterconf-lease:talks_v1' and pid <> pg_backend_pid()"),
        );
        expect(await lost).toMatchObject({ code: 'STORE_UNAVAILABLE' });
        const taken = await peer.acquireLease('talks_v1', 'b');
        expect(taken?.owner).toBe('b');
        await taken!.release();
      } finally {
        await store.close();
        await peer.close();
        await dropSchema(own);
      }
    });

    it('refuses a schema whose read-model tables are newer than it knows', async () => {
      const own = uniqueSchema('rm_future');
      try {
        await (await PostgresReadModelStore.open({ connectionString: postgresUrl, schema: own })).close();
        await withClient((client) => client.query(`insert into "${own}".read_model_schema_migrations (version) values (99)`));
        await expect(PostgresReadModelStore.open({ connectionString: postgresUrl, schema: own })).rejects.toMatchObject({ code: 'READ_MODEL_SCHEMA_TOO_NEW' });
      } finally {
        await dropSchema(own);
      }
    });

    it('reports an unreachable server as unavailable', async () => {
      await expect(
        PostgresReadModelStore.open({ connectionString: 'postgres://postgres@127.0.0.1:1/test', schema: 'unused', connectionTimeoutMillis: 2000 }),
      ).rejects.toMatchObject({ code: 'STORE_UNAVAILABLE' });
    });
  });
});
