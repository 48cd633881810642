import Database from 'better-sqlite3';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CorruptEventError, newEventId, StoreClosedError, StoreUnavailableError, type NewEvent } from '@clusterconf/domain';
import { migrateSqliteEventStore, SchemaTooNewError, SQLITE_EVENT_STORE_MIGRATIONS } from './schema-migrations.js';
import { SqliteEventStore } from './sqlite-event-store.js';

const event = (type: string, data: unknown): NewEvent => {
  const eventId = newEventId();
  return { type, data, metadata: { eventId, occurredAt: '2020-11-10T09:00:00Z', correlationId: eventId, causationId: eventId, schemaVersion: 1 } };
};

describe('SqliteEventStore on a file', () => {
  let dir: string;
  let path: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'clusterconf-sqlite-'));
    path = join(dir, 'events.sqlite');
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('finds a rare event type by a filtered scan in SQLite, not by copying the log, and still reaches the head', async () => {
    // Counts the rows better-sqlite3 hands to JavaScript, whichever statement asks.
    let handedOver = 0;
    const prepare = Database.prototype.prepare;
    const counting = function (this: Database.Database, source: string) {
      const statement = prepare.call(this, source);
      const all = statement.all.bind(statement) as (...params: unknown[]) => unknown[];
      statement.all = ((...params: unknown[]) => {
        const rows = all(...params);
        handedOver += rows.length;
        return rows;
      }) as typeof statement.all;
      return statement;
    } as typeof prepare;
    Database.prototype.prepare = counting;
    const store = await SqliteEventStore.open({ path }).finally(() => (Database.prototype.prepare = prepare));
    try {
      for (let i = 0; i < 50; i++) {
        await store.appendToStream(`common-${i}`, Array.from({ length: 100 }, (_, k) => event('Common', { k })));
        if (i % 20 === 7) await store.appendToStream(`prefix_%-${i}`, [event('Rare', { i })]);
      }
      const head = (await store.headPosition())!;
      // Rare by name, and rare as the one type outside a registry's list: the scan serves both.
      for (const filter of [{ eventTypes: ['Rare'] }, { eventTypes: [], orTypesNotIn: ['Common'] }]) {
        handedOver = 0;
        const subscription = store.subscribe({ filter, pageSize: 100 });
        const rare: number[] = [];
        for await (const message of subscription) {
          if (message.kind === 'event') rare.push((message.event.data as { i: number }).i);
          if (message.kind === 'caughtUp') {
            expect(message.position).toEqual(head);
            break;
          }
        }
        await subscription.close();
        expect(rare).toEqual([7, 27, 47]);
        // One page of 100 read into JavaScript, then the matches the scan found; not the 5,003 rows of the log.
        expect(handedOver).toBeLessThan(200);
      }
      // Prefixes are compared as text: `_` and `%` are no wildcards.
      const prefixed: string[] = [];
      for await (const e of store.readAll({ filter: { streamPrefixes: ['prefix_%-2'] }, pageSize: 100 })) prefixed.push(e.streamId);
      expect(prefixed).toEqual(['prefix_%-27']);
      const none: string[] = [];
      for await (const e of store.readAll({ filter: { streamPrefixes: ['prefix__'] }, pageSize: 100 })) none.push(e.streamId);
      expect(none).toEqual([]);
    } finally {
      await store.close();
    }
  });

  it('a subscription ends with CorruptEventError at a bad row it cannot place: a type that is not text', async () => {
    const store = await SqliteEventStore.open({ path });
    try {
      await store.appendToStream('s', [event('A', { i: 0 }), event('A', { i: 1 }), event('A', { i: 2 })]);
      const db = new Database(path);
      // A TEXT column turns a number into text, but keeps a blob a blob: a hand edit can leave bytes where the type belongs.
      db.prepare("UPDATE events SET data = '{', type = x'41' WHERE stream_revision = 1").run();
      db.close();
      const subscription = store.subscribe();
      const kinds: string[] = [];
      const error = await (async () => {
        for await (const message of subscription) {
          kinds.push(message.kind);
          if (message.kind === 'caughtUp') break;
        }
      })().then(() => undefined, (e: unknown) => e);
      expect(kinds).toEqual(['event']);
      expect(error).toBeInstanceOf(CorruptEventError);
      expect(error).toMatchObject({ streamId: 's', streamRevision: 1n, position: '2' });
    } finally {
      await store.close();
    }
  });

  it('opens in WAL mode with synchronous=NORMAL and the busy timeout it was given', async () => {
    const store = await SqliteEventStore.open({ path, busyTimeoutMs: 1234 });
    try {
      expect(store.database.pragma('journal_mode', { simple: true })).toBe('wal');
      expect(store.database.pragma('synchronous', { simple: true })).toBe(1);
      expect(store.database.pragma('busy_timeout', { simple: true })).toBe(1234);
    } finally {
      await store.close();
    }
  });

  it('records its schema version once and keeps the events when reopened', async () => {
    const first = await SqliteEventStore.open({ path });
    await first.appendToStream('conference-ecc2020', [event('ConferenceScheduled', { name: 'ECC 2020' })]);
    await first.close();
    const second = await SqliteEventStore.open({ path });
    try {
      const versions = second.database.prepare('SELECT version, name FROM schema_migrations').all();
      expect(versions).toEqual(SQLITE_EVENT_STORE_MIGRATIONS.map(({ version, name }) => ({ version, name })));
      const read = [];
      for await (const e of second.readStream('conference-ecc2020')) read.push(e.data);
      expect(read).toEqual([{ name: 'ECC 2020' }]);
    } finally {
      await second.close();
    }
  });

  it('upgrades a file written before tags in place: old events read back untagged, new ones keep their tags', async () => {
    // The file as the first release left it: migration 1 only, one event written by that release's INSERT.
    const old = new Database(path);
    migrateSqliteEventStore(old, path, SQLITE_EVENT_STORE_MIGRATIONS.slice(0, 1));
    const before = event('ConferenceScheduled', { name: 'ECC 2020' });
    old.prepare('INSERT INTO events (stream_id, stream_revision, event_id, type, data, metadata) VALUES (?, 0, ?, ?, ?, ?)')
      .run('conference-ecc2020', before.metadata.eventId, before.type, JSON.stringify(before.data), JSON.stringify(before.metadata));
    old.close();
    const store = await SqliteEventStore.open({ path });
    try {
      expect(store.database.prepare('SELECT max(version) FROM schema_migrations').pluck().get()).toBe(SQLITE_EVENT_STORE_MIGRATIONS.at(-1)!.version);
      await store.appendToStream('conference-ecc2020', [{ ...event('AttendeeRegistered', { n: 1 }), tags: ['attendee:a-1'] }], { expectedRevision: 0n });
      const read = [];
      for await (const e of store.readStream('conference-ecc2020')) read.push({ type: e.type, tags: e.tags, metadata: e.metadata });
      expect(read).toEqual([{ type: 'ConferenceScheduled', tags: [], metadata: before.metadata }, { type: 'AttendeeRegistered', tags: ['attendee:a-1'], metadata: expect.anything() }]);
    } finally {
      await store.close();
    }
  });

  it('refuses a file whose schema is newer than this code, naming both versions, and leaves it untouched', async () => {
    await (await SqliteEventStore.open({ path })).close();
    const db = new Database(path);
    db.prepare("INSERT INTO schema_migrations (version, name, applied_at) VALUES (99, 'from the future', 'x')").run();
    db.close();
    const error = await SqliteEventStore.open({ path }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SchemaTooNewError);
    expect(error).toMatchObject({ code: 'SCHEMA_TOO_NEW', found: 99, known: SQLITE_EVENT_STORE_MIGRATIONS.at(-1)!.version });
    expect((error as Error).message).toContain(path);
    const check = new Database(path);
    expect(check.prepare('SELECT max(version) FROM schema_migrations').pluck().get()).toBe(99);
    check.close();
  });

  it('refuses a file that is not SQLite with StoreUnavailableError naming the path', async () => {
    writeFileSync(path, 'this is a text file, not a database '.repeat(100));
    const error = await SqliteEventStore.open({ path }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(StoreUnavailableError);
    expect((error as Error).message).toContain(path);
  });

  it('fails an append with StoreUnavailableError when another writer holds the lock beyond the busy timeout', async () => {
    const store = await SqliteEventStore.open({ path, busyTimeoutMs: 20 });
    const other = new Database(path);
    try {
      other.prepare('BEGIN IMMEDIATE').run();
      const error = await store.appendToStream('conference-a', [event('A', {})]).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(StoreUnavailableError);
      expect((error as Error).message).toMatch(/busyTimeoutMs/);
      other.prepare('ROLLBACK').run();
      expect((await store.appendToStream('conference-a', [event('A', {})])).nextExpectedRevision).toBe(0n);
    } finally {
      other.close();
      await store.close();
    }
  });

  it('refuses an event over its own maxEventBytes before writing anything', async () => {
    const store = await SqliteEventStore.open({ path, maxEventBytes: 400 });
    try {
      await expect(store.appendToStream('conference-a', [event('A', { text: 'x'.repeat(10) }), event('A', { text: 'x'.repeat(400) })]))
        .rejects.toMatchObject({ code: 'INVALID_EVENT', message: expect.stringMatching(/limit is 400/) });
      expect(await store.headPosition()).toBeUndefined();
    } finally {
      await store.close();
    }
  });

  it('refuses nonsensical options with a RangeError naming the option, before creating the file', async () => {
    await expect(SqliteEventStore.open({ path, pollIntervalMs: 0 })).rejects.toThrow(/pollIntervalMs 0/);
    await expect(SqliteEventStore.open({ path, readPageSize: 2.5 })).rejects.toThrow(/readPageSize 2.5/);
    await expect(SqliteEventStore.open({ path, busyTimeoutMs: -1 })).rejects.toThrow(RangeError);
    expect(existsSync(path)).toBe(false);
  });

  it('refuses every operation after close with StoreClosedError', async () => {
    const store = await SqliteEventStore.open({ path });
    await store.close();
    await expect(store.appendToStream('conference-a', [event('A', {})])).rejects.toBeInstanceOf(StoreClosedError);
    await expect(store.headPosition()).rejects.toBeInstanceOf(StoreClosedError);
    expect(() => store.subscribe()).toThrow(StoreClosedError);
    await store.close();
  });
});

describe('migrateSqliteEventStore', () => {
  // The first released step alone, so the cases can add steps of their own after it.
  const base = SQLITE_EVENT_STORE_MIGRATIONS.slice(0, 1);

  it('applies only the steps newer than the recorded version, in version order', () => {
    const db = new Database(':memory:');
    expect(migrateSqliteEventStore(db, ':memory:', base)).toBe(1);
    const later = [
      { version: 3, name: 'third', sql: 'ALTER TABLE events ADD COLUMN third TEXT' },
      { version: 2, name: 'second', sql: 'CREATE INDEX events_type ON events (type)' },
      ...base,
    ];
    expect(migrateSqliteEventStore(db, ':memory:', later)).toBe(3);
    expect(db.prepare('SELECT version FROM schema_migrations ORDER BY version').pluck().all()).toEqual([1, 2, 3]);
    expect(db.prepare("SELECT count(*) FROM pragma_table_info('events') WHERE name = 'third'").pluck().get()).toBe(1);
    db.close();
  });

  it('rolls a failing step back entirely, keeping the previous version', () => {
    const db = new Database(':memory:');
    migrateSqliteEventStore(db, ':memory:', base);
    const broken = [...base, { version: 2, name: 'good', sql: 'CREATE TABLE extra (x)' }, { version: 3, name: 'bad', sql: 'NOT SQL AT ALL' }];
    expect(() => migrateSqliteEventStore(db, ':memory:', broken)).toThrow(/syntax error/);
    expect(db.prepare('SELECT max(version) FROM schema_migrations').pluck().get()).toBe(1);
    expect(db.prepare("SELECT count(*) FROM sqlite_master WHERE name = 'extra'").pluck().get()).toBe(0);
    db.close();
  });
});
