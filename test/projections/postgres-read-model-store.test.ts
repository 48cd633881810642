import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { InvalidDocumentError, PostgresEventStore, PostgresReadModelStore, ReadModelStatementError } from '@clusterconf/adapters/postgres';
import { batchOf, describeReadModelStoreContract } from '@clusterconf/adapters/testing';
import { createProjectionRunner } from '@clusterconf/projections';
import { dropSchema, postgresAvailable, postgresConfig, postgresUrl, uniqueSchema } from '../support/postgres.js';
import { blueGreenWithoutHalfBuiltReads } from './fixtures/blue-green-scenario.js';
import { seedTally, tallyEvents, tallyProjection } from './fixtures/tally-projection.js';

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
  describeReadModelStoreContract('PostgreSQL', {
    open: () => PostgresReadModelStore.open({ connectionString: postgresUrl, schema, poolSize: 3, leaseHeartbeatMs: 200 }),
    openPeer: () => PostgresReadModelStore.open({ connectionString: postgresUrl, schema, poolSize: 3, leaseHeartbeatMs: 200 }),
    sql: {
      createTableSql: (table) => `create table ${table} (k text primary key, n integer not null)`,
      insertRowSql: (table) => `insert into ${table} (k, n) values ($1, $2)`,
      countRows: (table) =>
        withClient(async (client) => {
          const exists = await client.query('select 1 from pg_tables where schemaname = $1 and tablename = $2', [schema, table]);
          if (exists.rowCount === 0) return undefined;
          const { rows } = await client.query<{ n: number }>(`select count(*)::int as n from "${schema}"."${table}"`);
          return rows[0]!.n;
        }),
      statementError: ReadModelStatementError,
    },
    cleanup: async () => {
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

    // PostgreSQL-only: jsonb cannot hold these strings, while SQLite and the memory store keep them, so the contract
    // cannot demand either behaviour of every store.
    it('refuses a batch whose document holds U+0000 or an unpaired surrogate with InvalidDocumentError, writing nothing', async () => {
      const own = uniqueSchema('rm_jsonb');
      const store = await PostgresReadModelStore.open({ connectionString: postgresUrl, schema: own, poolSize: 2 });
      try {
        const at = (n: bigint) => ({ commit: n, prepare: n });
        await store.commitBatch(batchOf('talks_v1', { changes: [{ kind: 'upsert', collection: 'talks', id: 'a', document: { v: 1 } }], checkpoint: at(1n) }));
        for (const [bad, where] of [
          [{ notes: ['fine', 'nul\u0000'] }, /the string at \$\.notes\[1\] holds U\+0000/],
          [{ emoji: 'half \ud83d' }, /the string at \$\.emoji holds the unpaired surrogate U\+D83D/],
        ] as const) {
          const batch = batchOf('talks_v1', {
            changes: [{ kind: 'upsert', collection: 'talks', id: 'a', document: { v: 2 } }, { kind: 'upsert', collection: 'talks', id: 'b', document: bad }],
            checkpoint: at(2n),
            expectedCheckpoint: at(1n),
          });
          const error = await store.commitBatch(batch).then(() => undefined, (e: unknown) => e);
          expect(error).toBeInstanceOf(InvalidDocumentError);
          expect(error).toMatchObject({ code: 'INVALID_DOCUMENT', namespace: 'talks_v1', collection: 'talks', id: 'b' });
          expect((error as Error).message).toMatch(where);
          expect((error as Error).message).toMatch(/Remove U\+0000 and unpaired surrogates/);
        }
        expect(await store.listDocuments('talks_v1', 'talks')).toEqual([{ id: 'a', document: { v: 1 } }]);
        expect(await store.loadCheckpoint('talks_v1')).toEqual(at(1n));
        // The refusal left the store usable: the next batch commits from the same checkpoint.
        await store.commitBatch(batchOf('talks_v1', { changes: [{ kind: 'upsert', collection: 'talks', id: 'b', document: { notes: ['fine'] } }], checkpoint: at(2n), expectedCheckpoint: at(1n) }));
        expect(await store.readDocument('talks_v1', 'talks', 'b')).toEqual({ notes: ['fine'] });
      } finally {
        await store.close();
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

    it('loses a lease whose session is terminated, refuses that namespace\'s batches, and frees the lease for another holder', async () => {
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
        // Having lost the lease, the store refuses to commit the namespace through any other connection.
        const late = batchOf('talks_v1', { changes: [{ kind: 'upsert', collection: 'talks', id: 'late', document: { late: true } }], checkpoint: { commit: 1n, prepare: 1n } });
        await expect(store.commitBatch(late)).rejects.toMatchObject({ code: 'STORE_UNAVAILABLE' });
        expect(await peer.readDocument('talks_v1', 'talks', 'late')).toBeUndefined();
        const taken = await peer.acquireLease('talks_v1', 'b');
        expect(taken?.owner).toBe('b');
        // While the peer holds the lease, its batches commit on the lease's session.
        await peer.commitBatch(late);
        expect(await store.readDocument('talks_v1', 'talks', 'late')).toEqual({ late: true });
        await taken!.release();
        // A holder that acknowledges the loss by releasing may write again (here: without a lease), from the checkpoint
        // the peer left.
        await lease!.release();
        const resumed = await store.loadCheckpoint('talks_v1');
        expect(resumed).toEqual({ commit: 1n, prepare: 1n });
        await store.commitBatch(batchOf('talks_v1', { checkpoint: { commit: 2n, prepare: 2n }, expectedCheckpoint: resumed }));
        expect(await peer.loadCheckpoint('talks_v1')).toEqual({ commit: 2n, prepare: 2n });
      } finally {
        await store.close();
        await peer.close();
        await dropSchema(own);
      }
    });

    it('stops a runner whose lease session dies from committing, and lets another take over without applying anything twice', async () => {
      const own = uniqueSchema('rm_failover');
      const events = await PostgresEventStore.open({ connectionString: postgresUrl, schema: own, poolSize: 2 });
      const storeA = await PostgresReadModelStore.open({ connectionString: postgresUrl, schema: own, poolSize: 2, leaseHeartbeatMs: 100 });
      const storeB = await PostgresReadModelStore.open({ connectionString: postgresUrl, schema: own, poolSize: 2, leaseHeartbeatMs: 100 });
      const common = { eventStore: events, registry: tallyEvents, batchSize: 10 };
      // A retries its lease rarely, so once it has lost it, B is the one to take it.
      const runnerA = createProjectionRunner({ ...common, readModelStore: storeA, projections: [tallyProjection(1, { delayMs: 2 })], owner: 'a', leaseRetryMs: 600_000 });
      const runnerB = createProjectionRunner({ ...common, readModelStore: storeB, projections: [tallyProjection(1, { delayMs: 2 })], owner: 'b', leaseRetryMs: 50 });
      const stateOf = async (runner: typeof runnerA) => (await runner.status())[0]!.state;
      const until = async (condition: () => Promise<boolean>, what: string) => {
        for (let tries = 0; !(await condition()); tries++) {
          if (tries > 3000) {
            const states = [...(await runnerA.status()), ...(await runnerB.status())].map((st) => `${st.state} at ${st.position?.prepare} ${st.error?.message ?? ''}`);
            throw new Error(`gave up waiting for ${what}: ${states.join('; ')}`);
          }
          await new Promise((resolve) => setTimeout(resolve, 10));
        }
      };
      try {
        const head = await seedTally(events, 200);
        await runnerA.start();
        await runnerB.start();
        expect([await stateOf(runnerA), await stateOf(runnerB)]).toEqual(['catching-up', 'standby']);
        await until(async () => (await storeB.loadCheckpoint('tally_v1')) !== undefined, 'a first commit by A');
        await withClient((client) =>
          client.query("select pg_terminate_backend(pid) from pg_stat_activity where application_name = 'clusterconf-lease:tally_v1' and pid <> pg_backend_pid()"),
        );
        // A steps down between batches (standby), or fails the batch it was committing on its dead lease session.
        await until(async () => ['standby', 'failed'].includes(await stateOf(runnerA)), 'A to step down');
        await until(async () => (await stateOf(runnerB)) === 'live', 'B to take over and catch up');
        await runnerB.waitFor(head);
        const applied = await storeB.listDocuments('tally_v1', 'applied');
        expect(applied).toHaveLength(200);
        expect(applied.filter((d) => d.document.count !== 1)).toEqual([]);
        expect(['standby', 'failed']).toContain(await stateOf(runnerA));
      } finally {
        await runnerA.stop();
        await runnerB.stop();
        await storeA.close();
        await storeB.close();
        await events.close();
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
