import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SqliteEventStore } from '@clusterconf/adapters/sqlite';
import { describeEventRoundTripProperty } from '@clusterconf/adapters/testing';
import { copyThroughCli } from './copy-through-cli.js';

describeEventRoundTripProperty('SQLite file', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'clusterconf-sqlite-round-trip-'));
  const store = await SqliteEventStore.open({ path: join(dir, 'events.sqlite') });
  return {
    store,
    cleanup: async () => {
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}, { numRuns: 200, copyLog: copyThroughCli });
