import pg from 'pg';
import { describe } from 'vitest';
import { PostgresEventStore } from '@clusterconf/adapters/postgres';
import { describeEventStoreContract } from '@clusterconf/adapters/testing';
import { dropSchema, postgresAvailable, postgresConfig, postgresUrl, uniqueSchema } from '../support/postgres.js';

describe.skipIf(!postgresAvailable)('PostgreSQL event store', () => {
  describeEventStoreContract(
    'PostgreSQL',
    async () => {
      const schema = uniqueSchema('contract');
      const store = await PostgresEventStore.open({ connectionString: postgresUrl, schema, pollIntervalMs: 200 });
      const others: PostgresEventStore[] = [];
      return {
        store,
        reopen: async () => {
          const other = await PostgresEventStore.open({ connectionString: postgresUrl, schema, pollIntervalMs: 200 });
          others.push(other);
          return other;
        },
        corruptEvent: async (streamId, revision, column, text) => {
          const client = new pg.Client(postgresConfig);
          await client.connect();
          try {
            await client.query(`update "${schema}".events set ${column} = $1 where stream_id = $2 and stream_revision = $3`, [
              text,
              streamId,
              revision.toString(),
            ]);
          } finally {
            await client.end();
          }
        },
        cleanup: async () => {
          await store.close();
          for (const other of others) await other.close();
          await dropSchema(schema);
        },
      };
    },
    { corruptRows: true, exactCountLimit: 10_000 },
  );
});
