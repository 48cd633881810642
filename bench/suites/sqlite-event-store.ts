/**
 * The SQLite event store beside bare better-sqlite3 code doing the same I/O in the same run, with the same
 * durability (WAL, synchronous=NORMAL, one BEGIN IMMEDIATE transaction per append) and the same table (the floor
 * creates it from the store's own migration DDL, so indexes and unique keys match):
 * - appends of 1 event each and of 100 events each, to distinct streams; the floor inserts the JSON-stringified rows
 *   with known revisions, so the difference is the store's validation, revision lookup and idempotency handling;
 * - readAll of 1,000,000 events, twice, alternating with the floor (after an untimed warm-up of both); the floor
 *   pages through the same file by primary key (1,000 rows a query, the fastest bare way that still streams) and
 *   JSON.parses data and metadata; the peak RSS column shows the store streams rather than loading the log;
 * - readStream of one 10,000-event stream, read 10 times alternating with the floor, which fetches the stream in one
 *   query and parses it the same way.
 * BENCH_SCALE scales every count.
 */
import Database from 'better-sqlite3';
import type { Database as SqliteDatabase } from 'better-sqlite3';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { NewEvent } from '@clusterconf/domain';
import { SQLITE_EVENT_STORE_MIGRATIONS, SqliteEventStore } from '@clusterconf/adapters/sqlite';
import { benchVote, measure, row, scaled, type BenchRow, type BenchSuite } from '../bench-row.js';

const count = scaled;

const singleAppends = count(20_000);
const batchAppends = count(1_000);
const batchSize = 100;
const readAllEvents = count(1_000_000);
const streamEvents = count(10_000);
const streamReads = 10;

const vote = benchVote;

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

/** Seconds and peak RSS of the library and the floor, run in alternating rounds so that load drift hits both alike. */
const alternate = async (
  rounds: number,
  lib: (round: number) => Promise<unknown> | unknown,
  floor: (round: number) => unknown,
): Promise<{ seconds: number; floorSeconds: number; peakRssMb: number; floorPeakRssMb: number; roundRatios: number[] }> => {
  const totals = { seconds: 0, floorSeconds: 0, peakRssMb: 0, floorPeakRssMb: 0, roundRatios: [] as number[] };
  for (let round = 0; round < rounds; round++) {
    const l = await measure(() => lib(round));
    const f = await measure(() => floor(round));
    totals.seconds += l.seconds;
    totals.floorSeconds += f.seconds;
    totals.peakRssMb = Math.max(totals.peakRssMb, l.peakRssMb);
    totals.floorPeakRssMb = Math.max(totals.floorPeakRssMb, f.peakRssMb);
    totals.roundRatios.push(Math.round((f.seconds / l.seconds) * 100) / 100);
  }
  return totals;
};

const rounds = 5;
const share = (total: number, round: number) => Math.floor((total * (round + 1)) / rounds) - Math.floor((total * round) / rounds);

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
      let next = 0;
      const single = await alternate(
        rounds,
        async (round) => {
          const events = votes(share(singleAppends, round));
          for (const event of events) await store.appendToStream(`vote-ecc2020.s.${next++}`, [event], { expectedRevision: 'no_stream' });
        },
        (round) => {
          const events = votes(share(singleAppends, round));
          for (const event of events) floorAppend(`vote-ecc2020.s.${next++}`, [event]);
        },
      );
      rows.push(row({ roundRatios: single.roundRatios, benchmark: 'append 1 event each, distinct streams', backend: 'sqlite', events: singleAppends, seconds: single.seconds,
        floorSeconds: single.floorSeconds, peakRssMb: single.peakRssMb, target: 0.7,
        note: `floor peak RSS ${single.floorPeakRssMb} MB` }));

      // Appends of 100 events each, to distinct streams.
      const batched = await alternate(
        rounds,
        async (round) => {
          for (let i = share(batchAppends, round); i > 0; i--) await store.appendToStream(`conference-b${next++}`, votes(batchSize), { expectedRevision: 'no_stream' });
        },
        (round) => {
          for (let i = share(batchAppends, round); i > 0; i--) floorAppend(`conference-b${next++}`, votes(batchSize));
        },
      );
      rows.push(row({ roundRatios: batched.roundRatios, benchmark: 'append 100 events each, distinct streams', backend: 'sqlite', events: batchAppends * batchSize,
        seconds: batched.seconds, floorSeconds: batched.floorSeconds, peakRssMb: batched.peakRssMb,
        target: 0.8, note: `both sides build the events in the timed loop; floor peak RSS ${batched.floorPeakRssMb} MB` }));
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

      // The floor pages by primary key with .all(), which better-sqlite3 runs faster than one long .iterate().
      const floorPage = reader.prepare(`SELECT ${COLUMNS} FROM events WHERE position > ? ORDER BY position LIMIT 1000`).raw(true);
      const floorReadAll = (limit: number): number => {
        let n = 0;
        for (let after = 0, page = floorPage.all(after) as unknown[][]; page.length > 0 && n < limit; page = floorPage.all(after) as unknown[][]) {
          n += floorRead(page);
          after = page[page.length - 1]![0] as number;
        }
        return n;
      };
      const libReadAll = async (maxCount?: number): Promise<number> => {
        let n = 0;
        for await (const event of store.readAll({ maxCount })) if (event.streamRevision >= 0n) n++;
        return n;
      };
      // An untimed warm-up of both sides, then two alternating full reads each.
      floorReadAll(50_000);
      await libReadAll(50_000);
      let libAllEvents = 0;
      let rawAllEvents = 0;
      const readAll = await alternate(
        2,
        async () => (libAllEvents += await libReadAll()),
        () => (rawAllEvents += floorReadAll(Number.POSITIVE_INFINITY)),
      );
      if (libAllEvents !== rawAllEvents || libAllEvents !== 2 * readAllEvents) {
        throw new Error(`readAll read ${libAllEvents} events, the floor ${rawAllEvents}, expected ${2 * readAllEvents}`);
      }
      rows.push(row({ roundRatios: readAll.roundRatios, benchmark: `readAll of ${readAllEvents.toLocaleString('en')} events ×2`, backend: 'sqlite', events: libAllEvents,
        seconds: readAll.seconds, floorSeconds: readAll.floorSeconds, peakRssMb: readAll.peakRssMb, target: 0.8,
        note: `reads alternate with the floor; floor peak RSS ${readAll.floorPeakRssMb} MB` }));

      const streamQuery = reader.prepare(`SELECT ${COLUMNS} FROM events WHERE stream_id = ? ORDER BY stream_revision`).raw(true);
      // Three untimed passes each, so neither side pays for a cold cache or unoptimised code.
      for (let pass = 0; pass < 3; pass++) {
        for await (const event of store.readStream('conference-long')) void event;
        floorRead(streamQuery.all('conference-long') as unknown[][]);
      }
      let libStreamEvents = 0;
      let rawStreamEvents = 0;
      const streamed = await alternate(
        streamReads,
        async () => {
          for await (const event of store.readStream('conference-long')) if (event.streamRevision >= 0n) libStreamEvents++;
        },
        () => (rawStreamEvents += floorRead(streamQuery.all('conference-long') as unknown[][])),
      );
      if (libStreamEvents !== rawStreamEvents) throw new Error(`readStream read ${libStreamEvents} events, the floor ${rawStreamEvents}`);
      rows.push(row({ roundRatios: streamed.roundRatios, benchmark: `readStream of a ${streamEvents.toLocaleString('en')}-event stream ×${streamReads}`, backend: 'sqlite',
        events: libStreamEvents, seconds: streamed.seconds, floorSeconds: streamed.floorSeconds, peakRssMb: streamed.peakRssMb, target: 0.8,
        note: 'library and floor reads alternate' }));

      reader.close();
      await store.close();
      return rows;
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  },
};

export default suite;
