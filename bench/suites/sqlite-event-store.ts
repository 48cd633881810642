/**
 * The SQLite event store beside bare better-sqlite3 code doing the same I/O in the same run, with the same
 * durability (WAL, synchronous=NORMAL, one BEGIN IMMEDIATE transaction per append) and the same table (the floor
 * creates it from the store's own migration DDL, so indexes and unique keys match):
 * - appends of 1 event each and of 100 events each, to distinct streams; the floor inserts the JSON-stringified rows
 *   with known revisions, so the difference is the store's validation, revision lookup and idempotency handling;
 * - readAll of 1,000,000 events; the floor iterates one `SELECT` over the same file and JSON.parses data and metadata;
 *   the peak RSS column shows the store streams rather than loading the log;
 * - readStream of one 10,000-event stream, read 10 times; the floor iterates the same rows the same way.
 * BENCH_SCALE scales every count.
 */
import Database from 'better-sqlite3';
import type { Database as SqliteDatabase } from 'better-sqlite3';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { NewEvent } from '@clusterconf/domain';
import { SQLITE_EVENT_STORE_MIGRATIONS, SqliteEventStore } from '@clusterconf/adapters/sqlite';
import { measure, row, type BenchRow, type BenchSuite } from '../bench-row.js';

const scale = Number(process.env.BENCH_SCALE ?? '1');
const count = (n: number) => Math.max(1, Math.round(n * scale));

const singleAppends = count(20_000);
const batchAppends = count(1_000);
const batchSize = 100;
const readAllEvents = count(1_000_000);
const streamEvents = count(10_000);
const streamReads = 10;

const vote = (i: number): NewEvent => {
  const eventId = randomUUID();
  return {
    type: 'VoteCast',
    data: { conferenceId: 'ecc2020', ballotId: 'manager-of-the-year', attendeeId: `attendee-${i}`, candidateId: `candidate-${i % 3}` },
    metadata: { eventId, occurredAt: '2020-11-10T09:00:00.000Z', correlationId: eventId, causationId: eventId, schemaVersion: 1 },
  };
};

const votes = (n: number, offset = 0): NewEvent[] => Array.from({ length: n }, (_, i) => vote(offset + i));

/** A bare better-sqlite3 connection with the store's pragmas and table. */
const openFloor = (path: string): SqliteDatabase => {
  const db = new Database(path, { timeout: 5000 });
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  for (const migration of SQLITE_EVENT_STORE_MIGRATIONS) db.exec(migration.sql);
  return db;
};

/** The floor's append: one immediate transaction inserting already-numbered rows. */
const floorAppender = (db: SqliteDatabase) => {
  const insert = db.prepare('INSERT INTO events (stream_id, stream_revision, event_id, type, data, metadata) VALUES (?, ?, ?, ?, ?, ?)');
  const append = db.transaction((streamId: string, events: readonly NewEvent[]) => {
    events.forEach((event, revision) =>
      insert.run(streamId, revision, event.metadata.eventId, event.type, JSON.stringify(event.data), JSON.stringify(event.metadata)),
    );
  });
  return (streamId: string, events: readonly NewEvent[]) => append.immediate(streamId, events);
};

/** Iterates rows and parses their JSON columns, as any reader of the log must. */
const floorRead = (rows: Iterable<unknown[]>): number => {
  let n = 0;
  for (const r of rows) {
    JSON.parse(r[4] as string);
    JSON.parse(r[5] as string);
    n++;
  }
  return n;
};

const COLUMNS = 'position, stream_id, stream_revision, type, data, metadata';

const suite: BenchSuite = {
  name: 'sqlite-event-store',
  async run(): Promise<BenchRow[]> {
    const dir = mkdtempSync(join(tmpdir(), 'clusterconf-bench-sqlite-'));
    const rows: BenchRow[] = [];
    try {
      const storePath = join(dir, 'store.sqlite');
      const floorPath = join(dir, 'floor.sqlite');
      const store = await SqliteEventStore.open({ path: storePath });
      const floor = openFloor(floorPath);
      const floorAppend = floorAppender(floor);

      // Appends of one event each, to distinct streams.
      const singles = votes(singleAppends);
      const lib1 = await measure(async () => {
        for (let i = 0; i < singles.length; i++) await store.appendToStream(`vote-ecc2020.s.${i}`, [singles[i]!], { expectedRevision: 'no_stream' });
      });
      const floorSingles = votes(singleAppends);
      const raw1 = await measure(() => {
        for (let i = 0; i < floorSingles.length; i++) floorAppend(`vote-ecc2020.s.${i}`, [floorSingles[i]!]);
      });
      rows.push(row({ benchmark: 'append 1 event each, distinct streams', backend: 'sqlite', events: singleAppends, seconds: lib1.seconds,
        floorSeconds: raw1.seconds, peakRssMb: lib1.peakRssMb, target: 0.7 }));

      // Appends of 100 events each, to distinct streams.
      const lib100 = await measure(async () => {
        for (let i = 0; i < batchAppends; i++) await store.appendToStream(`conference-b${i}`, votes(batchSize), { expectedRevision: 'no_stream' });
      });
      const raw100 = await measure(() => {
        for (let i = 0; i < batchAppends; i++) floorAppend(`conference-b${i}`, votes(batchSize));
      });
      rows.push(row({ benchmark: 'append 100 events each, distinct streams', backend: 'sqlite', events: batchAppends * batchSize,
        seconds: lib100.seconds, floorSeconds: raw100.seconds, peakRssMb: lib100.peakRssMb, target: 0.8,
        note: 'both sides build the events inside the timed loop' }));
      floor.close();

      // readStream of one long stream; built now so that it sits amid the readAll data.
      for (let done = 0; done < streamEvents; done += 1000) {
        await store.appendToStream('conference-long', votes(Math.min(1000, streamEvents - done), done));
      }
      // Fill the log up to readAllEvents with 1000-event appends; untimed.
      let total = Number((await store.headPosition())?.commit ?? 0n);
      for (let i = 0; total < readAllEvents; i++) {
        const n = Math.min(1000, readAllEvents - total);
        await store.appendToStream(`alliance-fill-${i}`, votes(n));
        total += n;
      }
      const reader = new Database(storePath, { readonly: true });
      reader.pragma('synchronous = NORMAL');

      const libAll = await measure(async () => {
        let n = 0;
        for await (const event of store.readAll()) if (event.streamRevision >= 0n) n++;
        return n;
      });
      const rawAll = await measure(() => floorRead(reader.prepare(`SELECT ${COLUMNS} FROM events ORDER BY position`).raw(true).iterate() as Iterable<unknown[]>));
      if (libAll.result !== rawAll.result) throw new Error(`readAll read ${libAll.result} events, the floor ${rawAll.result}`);
      rows.push(row({ benchmark: 'readAll', backend: 'sqlite', events: libAll.result, seconds: libAll.seconds, floorSeconds: rawAll.seconds,
        peakRssMb: libAll.peakRssMb, target: 0.8, note: `floor peak RSS ${rawAll.peakRssMb} MB` }));

      const streamQuery = reader.prepare(`SELECT ${COLUMNS} FROM events WHERE stream_id = ? ORDER BY stream_revision`).raw(true);
      // One untimed pass each, so neither side pays for a cold cache or unoptimised code.
      for await (const event of store.readStream('conference-long')) void event;
      floorRead(streamQuery.iterate('conference-long') as Iterable<unknown[]>);
      const libStream = await measure(async () => {
        let n = 0;
        for (let r = 0; r < streamReads; r++) for await (const event of store.readStream('conference-long')) if (event.streamRevision >= 0n) n++;
        return n;
      });
      const rawStream = await measure(() => {
        let n = 0;
        for (let r = 0; r < streamReads; r++) n += floorRead(streamQuery.iterate('conference-long') as Iterable<unknown[]>);
        return n;
      });
      if (libStream.result !== rawStream.result) throw new Error(`readStream read ${libStream.result} events, the floor ${rawStream.result}`);
      rows.push(row({ benchmark: `readStream of a ${streamEvents.toLocaleString('en')}-event stream ×${streamReads}`, backend: 'sqlite',
        events: libStream.result, seconds: libStream.seconds, floorSeconds: rawStream.seconds, peakRssMb: libStream.peakRssMb, target: 0.8 }));

      reader.close();
      await store.close();
      return rows;
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  },
};

export default suite;
