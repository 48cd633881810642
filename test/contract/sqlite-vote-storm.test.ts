import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { SqliteEventStore } from '@clusterconf/adapters/sqlite';
import { runVoteStorm } from '../support/vote-storm.js';

describe('the conference model on DCB, on SQLite', () => {
  it('a 1,000-voter storm with 200 repeat votes and the close in the middle: exactly the votes before the close are stored, none after it, one per person', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'clusterconf-storm-'));
    const store = await SqliteEventStore.open({ path: join(dir, 'events.sqlite') });
    try {
      const counts = await runVoteStorm(store, { voters: 1000, repeats: 200, concurrency: 16 });
      expect(counts.stored + counts.repeat + counts['already-voted'] + counts.closed).toBe(1200);
    } finally {
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
