import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, it } from 'vitest';
import { dropSchema, postgresAvailable, postgresUrl, uniqueSchema } from '../support/postgres.js';
import { killDeployAroundActivationAndRestart, killHalfBuiltDeployAndRestart, refuseOlderVersionAfterDeploy } from './fixtures/deploy-scenarios.js';
import type { StoreLocation } from './fixtures/stores.js';

// A deploy is a restart with the next version of a projection: the runner builds it beside the active one and switches
// readers once it has caught up. These kill the deployed process at the moments a switch can be interrupted.
const scenarios = (location: () => StoreLocation): void => {
  it('SIGKILLed half built and restarted: readers see v1 until v2 has caught up, then v2, equal to the fold', () => killHalfBuiltDeployAndRestart(location()));

  it('SIGKILLed just before readers are switched and restarted: the switch finishes, readers see v2', () =>
    killDeployAroundActivationAndRestart(location(), 'before'));

  it('SIGKILLed just after readers are switched and restarted: v2 serves, readers see v2', () => killDeployAroundActivationAndRestart(location(), 'after'));

  it("refuses to start v1 once v2 is active, or stands it by with olderVersion: 'standby'", () => refuseOlderVersionAfterDeploy(location()));
};

describe('deploying v2 of a projection and restarting, on SQLite', () => {
  let dir: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'clusterconf-deploy-'));
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));
  scenarios(() => ({ backend: 'sqlite', eventsPath: path.join(dir, 'events.db'), readModelsPath: path.join(dir, 'read-models.db') }));
});

describe.skipIf(!postgresAvailable)('deploying v2 of a projection and restarting, on PostgreSQL', () => {
  let schema: string;
  beforeEach(() => {
    schema = uniqueSchema('deploy');
  });
  afterEach(() => dropSchema(schema));
  scenarios(() => ({ backend: 'postgres', connectionString: postgresUrl, schema }));
});
