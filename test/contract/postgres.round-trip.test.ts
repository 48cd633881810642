import { describe } from 'vitest';
import { PostgresEventStore } from '@clusterconf/adapters/postgres';
import { describeEventRoundTripProperty } from '@clusterconf/adapters/testing';
import { dropSchema, postgresAvailable, postgresUrl, uniqueSchema } from '../support/postgres.js';
import { copyThroughCli } from './copy-through-cli.js';

describe.skipIf(!postgresAvailable)('PostgreSQL event store', () => {
  describeEventRoundTripProperty('PostgreSQL', async () => {
    const schema = uniqueSchema('round_trip');
    const store = await PostgresEventStore.open({ connectionString: postgresUrl, schema });
    return {
      store,
      cleanup: async () => {
        await store.close();
        await dropSchema(schema);
      },
    };
  }, { numRuns: 150, copyLog: copyThroughCli });
});
