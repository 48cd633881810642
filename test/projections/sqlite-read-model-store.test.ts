import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { ReadModelStatementError, SqliteEventStore, SqliteReadModelStore, leaseFilePath } from '@clusterconf/adapters/sqlite';
import { batchOf, describeReadModelStoreContract } from '@clusterconf/adapters/testing';
import { createProjectionRunner } from '@clusterconf/projections';
import { blueGreenWithoutHalfBuiltReads } from './fixtures/blue-green-scenario.js';
import { seedTally, tallyEvents, tallyProjection } from './fixtures/tally-projection.js';

let dir: string | undefined;
const file = () => path.join((dir ??= fs.mkdtempSync(path.join(os.tmpdir(), 'clusterconf-rm-sqlite-'))), 'read-models.db');

describeReadModelStoreContract('SQLite', {
  open: () => SqliteReadModelStore.open({ path: file() }),
  openPeer: () => SqliteReadModelStore.open({ path: file() }),
  sql: {
    createTableSql: (table) => `CREATE TABLE ${table} (k TEXT PRIMARY KEY, n INTEGER NOT NULL)`,
    insertRowSql: (table) => `INSERT INTO ${table} (k, n) VALUES (?, ?)`,
    countRows: async (table) => {
      const db = new Database(file(), { readonly: true });
      try {
        const exists = db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?").get(table);
        return exists === undefined ? undefined : (db.prepare(`SELECT count(*) FROM "${table}"`).pluck().get() as number);
      } finally {
        db.close();
      }
    },
    statementError: ReadModelStatementError,
  },
  cleanup: async () => {
    if (dir !== undefined) fs.rmSync(dir, { recursive: true, force: true });
    dir = undefined;
  },
});

describe('SqliteReadModelStore specifics', () => {
  const tempDir = () => fs.mkdtempSync(path.join(os.tmpdir(), 'clusterconf-rm-sqlite-'));

  it('keeps read models in a file shared with other tables, without touching them', async () => {
    const where = tempDir();
    try {
      const db = new Database(path.join(where, 'shared.db'));
      db.exec('CREATE TABLE events (position INTEGER PRIMARY KEY, type TEXT)');
      db.prepare('INSERT INTO events (type) VALUES (?)').run('VoteCast');
      const store = await SqliteReadModelStore.open({ database: db });
      await store.commitBatch(batchOf('votes_v1', { changes: [{ kind: 'upsert', collection: 'tally', id: 'b1', document: { votes: 3 } }], checkpoint: { commit: 1n, prepare: 1n } }));
      await store.close();
      // Closing the store leaves the shared connection open for its owner.
      expect(db.open).toBe(true);
      expect(db.prepare('SELECT count(*) FROM events').pluck().get()).toBe(1);
      const tables = db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name").pluck().all();
      expect(tables).toEqual(['events', 'read_model_active_versions', 'read_model_checkpoints', 'read_model_dead_letters', 'read_model_documents', 'read_model_schema_migrations']);
      db.close();
      const reopened = await SqliteReadModelStore.open({ path: path.join(where, 'shared.db') });
      expect(await reopened.readDocument('votes_v1', 'tally', 'b1')).toEqual({ votes: 3 });
      await reopened.close();
    } finally {
      fs.rmSync(where, { recursive: true, force: true });
    }
  });

  it('projects into the event store\'s own file through its connection, and resumes from there', async () => {
    const where = tempDir();
    const file = path.join(where, 'conference.db');
    try {
      const events = await SqliteEventStore.open({ path: file });
      const readModels = await SqliteReadModelStore.open({ database: events.database });
      const head = await seedTally(events, 50);
      const runner = createProjectionRunner({ eventStore: events, readModelStore: readModels, registry: tallyEvents, projections: [tallyProjection(1)], batchSize: 7 });
      await runner.start();
      await runner.waitFor(head);
      await runner.stop();
      await readModels.close();
      await events.close();

      // One file holds both; a new process (here: new connections) resumes from the checkpoint stored beside the log.
      const db = new Database(file, { readonly: true });
      expect(db.prepare('SELECT count(*) FROM events').pluck().get()).toBe(50);
      expect(db.prepare("SELECT position FROM read_model_checkpoints WHERE namespace = 'tally_v1'").pluck().get()).toBe(head.prepare.toString());
      db.close();
      const reopenedEvents = await SqliteEventStore.open({ path: file });
      const reopened = await SqliteReadModelStore.open({ database: reopenedEvents.database });
      const later = await seedTally(reopenedEvents, 10, 'later');
      const again = createProjectionRunner({ eventStore: reopenedEvents, readModelStore: reopened, registry: tallyEvents, projections: [tallyProjection(1)] });
      await again.start();
      await again.waitFor(later);
      await again.stop();
      const applied = await reopened.listDocuments('tally_v1', 'applied');
      expect(applied).toHaveLength(60);
      expect(applied.every((d) => d.document.count === 1)).toBe(true);
      await reopened.close();
      await reopenedEvents.close();
    } finally {
      fs.rmSync(where, { recursive: true, force: true });
    }
  });

  it('builds a new version blue/green beside the live one; readers never see it half built', async () => {
    const where = tempDir();
    try {
      await blueGreenWithoutHalfBuiltReads({ backend: 'sqlite', eventsPath: path.join(where, 'events.db'), readModelsPath: path.join(where, 'read-models.db') });
    } finally {
      fs.rmSync(where, { recursive: true, force: true });
    }
  });

  it('holds a lease as a lock on a sidecar file beside the database', async () => {
    const where = tempDir();
    try {
      const store = await SqliteReadModelStore.open({ path: path.join(where, 'rm.db') });
      const lease = await store.acquireLease('talks_v1', 'me');
      expect(fs.existsSync(leaseFilePath(path.join(where, 'rm.db'), 'talks_v1'))).toBe(true);
      const probe = new Database(leaseFilePath(path.join(where, 'rm.db'), 'talks_v1'), { timeout: 0 });
      expect(() => probe.exec('BEGIN EXCLUSIVE')).toThrow(/locked|busy/i);
      await lease!.release();
      probe.exec('BEGIN EXCLUSIVE');
      probe.close();
      await store.close();
    } finally {
      fs.rmSync(where, { recursive: true, force: true });
    }
  });

  it('gives process-local leases for an in-memory database', async () => {
    const store = await SqliteReadModelStore.open({ path: ':memory:' });
    const lease = await store.acquireLease('talks_v1', 'a');
    expect(lease).toBeDefined();
    expect(await store.acquireLease('talks_v1', 'b')).toBeUndefined();
    await lease!.release();
    expect(await store.acquireLease('talks_v1', 'b')).toBeDefined();
    await store.close();
  });

  it('refuses a file whose read-model schema is newer than it knows', async () => {
    const where = tempDir();
    try {
      const target = path.join(where, 'rm.db');
      await (await SqliteReadModelStore.open({ path: target })).close();
      const db = new Database(target);
      db.prepare("INSERT INTO read_model_schema_migrations (version, name, applied_at) VALUES (99, 'future', 'x')").run();
      db.close();
      await expect(SqliteReadModelStore.open({ path: target })).rejects.toMatchObject({ code: 'READ_MODEL_SCHEMA_TOO_NEW' });
    } finally {
      fs.rmSync(where, { recursive: true, force: true });
    }
  });

  it('reports a path that is not a SQLite file as unavailable', async () => {
    const where = tempDir();
    try {
      fs.writeFileSync(path.join(where, 'not.db'), 'this is not a database, just text long enough to have a header '.repeat(20));
      await expect(SqliteReadModelStore.open({ path: path.join(where, 'not.db') })).rejects.toMatchObject({ code: 'STORE_UNAVAILABLE' });
    } finally {
      fs.rmSync(where, { recursive: true, force: true });
    }
  });
});
