import Database from 'better-sqlite3';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SqliteEventStore } from '@clusterconf/adapters/sqlite';
import { describeEventStoreContract } from '@clusterconf/adapters/testing';

describeEventStoreContract(
  'SQLite file',
  async () => {
    const dir = mkdtempSync(join(tmpdir(), 'clusterconf-sqlite-contract-'));
    const path = join(dir, 'events.sqlite');
    const store = await SqliteEventStore.open({ path, pollIntervalMs: 10 });
    return {
      store,
      reopen: () => SqliteEventStore.open({ path, pollIntervalMs: 10 }),
      corruptEvent: async (streamId, revision, column, text) => {
        const db = new Database(path);
        try {
          db.prepare(`UPDATE events SET ${column} = ? WHERE stream_id = ? AND stream_revision = ?`).run(text, streamId, revision);
        } finally {
          db.close();
        }
      },
      cleanup: async () => {
        await store.close();
        rmSync(dir, { recursive: true, force: true });
      },
    };
  },
  { corruptRows: true, exactCountLimit: 10_000 },
);

// Pages of 2 rows make every read in the suite cross page boundaries.
describeEventStoreContract('SQLite :memory: with 2-row pages', async () => {
  const store = await SqliteEventStore.open({ path: ':memory:', readPageSize: 2 });
  return { store, cleanup: () => store.close() };
}, { exactCountLimit: 10_000 });
