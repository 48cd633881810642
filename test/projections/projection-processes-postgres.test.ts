import { afterEach, beforeEach, describe, it } from 'vitest';
import { dropSchema, postgresAvailable, postgresUrl, uniqueSchema } from '../support/postgres.js';
import { crashMidBatchAndRestart, killActiveRunnerAndTakeOver } from './fixtures/crash-scenarios.js';
import type { StoreLocation } from './fixtures/stores.js';

// Events and read models in one schema: the checkpoint commits with the documents in the same database.
describe.skipIf(!postgresAvailable)('projection runner processes on PostgreSQL', () => {
  let schema: string;
  let location: StoreLocation;
  beforeEach(() => {
    schema = uniqueSchema('rm_proc');
    location = { backend: 'postgres', connectionString: postgresUrl, schema };
  });
  afterEach(() => dropSchema(schema));

  it('SIGKILLed in the middle of a batch and restarted, leaves a read model equal to a full rebuild', () => crashMidBatchAndRestart(location));

  it('runs one of two runners, and the other takes over when it is killed, applying nothing twice', () => killActiveRunnerAndTakeOver(location));
});
