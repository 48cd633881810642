import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, it } from 'vitest';
import { crashMidBatchAndRestart, killActiveRunnerAndTakeOver } from './fixtures/crash-scenarios.js';
import type { StoreLocation } from './fixtures/stores.js';

// Events and read models in two files: a read model fed from another database than its events.
describe('projection runner processes on SQLite', () => {
  let dir: string;
  let location: StoreLocation;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'clusterconf-rm-proc-'));
    location = { backend: 'sqlite', eventsPath: path.join(dir, 'events.db'), readModelsPath: path.join(dir, 'read-models.db') };
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('SIGKILLed in the middle of a batch and restarted, leaves a read model equal to a full rebuild', () => crashMidBatchAndRestart(location));

  it('runs one of two runners, and the other takes over when it is killed, applying nothing twice', () => killActiveRunnerAndTakeOver(location));
});
