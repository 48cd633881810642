/**
 * The PostgreSQL event store beside bare `pg` code doing the same I/O in the same run, with the same durability
 * (default synchronous_commit, one transaction per append):
 * - appends of 1 event and of 100 events each to distinct streams, one connection;
 * - single-event appends from 8 concurrent connections;
 * - readAll of 200,000 events (keyset pages of 1,000; peak RSS shows it streams) and readStream of a 10,000-event
 *   stream. The read floors page over the same table by its primary key and JSON.parse data and metadata.
 * The floor's table has the same columns, defaults and unique keys as the store's, so the difference is the store's
 * own work: the stream lock, the expected-revision and idempotency checks, NOTIFY, and the xmin bound on reads.
 * Each row is the median of three alternating rounds of floor and library (`medianRound`). BENCH_SCALE scales every count. Connects to BENCH_POSTGRES_URL, else postgres://postgres@127.0.0.1:5432/test.
 */
import pg from 'pg';
import type { NewEvent } from '@clusterconf/domain';
import { PostgresEventStore } from '@clusterconf/adapters/postgres';
import { benchVote, medianRound, row, scaled, type BenchRow, type BenchSuite } from '../bench-row.js';

const url = process.env.BENCH_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const count = scaled;

const singleAppends = count(2_000);
const batches = count(200);
const concurrentAppends = count(4_000);
const readAllEvents = count(200_000);
const streamEvents = count(10_000);
const writers = 8;

const vote = benchVote;

/** One row of the bare floor, in the form its INSERT takes. */
interface FloorRow {
  readonly streamId: string;
  readonly revision: number;
  readonly event: NewEvent;
}

const floorValues = (rows: readonly FloorRow[]) => [
  rows.map((r) => r.streamId),
  rows.map((r) => r.revision),
  rows.map((r) => r.event.metadata.eventId),
  rows.map((r) => r.event.type),
  rows.map((r) => JSON.stringify(r.event.data)),
  rows.map((r) => JSON.stringify(r.event.metadata)),
];

const floorTable = (schema: string) => `
  create schema ${schema};
  create table ${schema}.events (
    transaction_id xid8 not null default pg_current_xact_id(),
    seq bigint generated always as identity,
    stream_id text not null, stream_revision bigint not null, event_id uuid not null, type text not null,
    data text not null, metadata text not null,
    primary key (transaction_id, seq), unique (stream_id, stream_revision), unique (event_id)
  )`;

const insertOne = (schema: string) =>
  `insert into ${schema}.events (stream_id, stream_revision, event_id, type, data, metadata) values ($1, $2, $3, $4, $5, $6)`;
const insertMany = (schema: string) =>
  `insert into ${schema}.events (stream_id, stream_revision, event_id, type, data, metadata)
   select * from unnest($1::text[], $2::bigint[], $3::uuid[], $4::text[], $5::text[], $6::text[])`;

const ROUNDS = 3;

const suite: BenchSuite = {
  name: 'postgres-event-store',
  async run(): Promise<BenchRow[]> {
    const tag = `${process.pid}_${Date.now().toString(36)}`;
    const storeSchema = `bench_store_${tag}`;
    const floorSchema = `bench_floor_${tag}`;
    const pool = new pg.Pool({ connectionString: url, max: writers });
    pool.on('error', () => undefined);
    await pool.query(floorTable(floorSchema));
    const store = await PostgresEventStore.open({ connectionString: url, schema: storeSchema, poolSize: writers });
    const rows: BenchRow[] = [];
    const floorInsertOne = (client: pg.Pool | pg.PoolClient, streamId: string, event: NewEvent) => {
      const [s, r, id, t, d, m] = floorValues([{ streamId, revision: 0, event }]).map((v) => v[0]);
      return client.query(insertOne(floorSchema), [s, r, id, t, d, m]);
    };
    let logged = 0;
    try {
      // 1 event per append, distinct streams, one connection.
      const single = await medianRound(
        ROUNDS,
        (round) => {
          const events = Array.from({ length: singleAppends }, (_, i) => vote(i));
          return async () => {
            const client = await pool.connect();
            try {
              for (let i = 0; i < events.length; i++) await floorInsertOne(client, `floor-single-${round}-${i}`, events[i]!);
            } finally {
              client.release();
            }
          };
        },
        (round) => {
          const events = Array.from({ length: singleAppends }, (_, i) => vote(i));
          logged += singleAppends;
          return async () => {
            for (let i = 0; i < events.length; i++) await store.appendToStream(`single-${round}-${i}`, [events[i]!], { expectedRevision: 'no_stream' });
          };
        },
      );
      rows.push(row({ roundRatios: single.ratios, benchmark: 'append 1 event/append', backend: 'postgres', events: singleAppends, seconds: single.library.seconds, floorSeconds: single.floor.seconds, peakRssMb: single.library.peakRssMb, target: 0.7 }));

      // 100 events per append, distinct streams, one connection.
      const batched = await medianRound(
        ROUNDS,
        (round) => {
          const batchRows = Array.from({ length: batches }, (_, b) => Array.from({ length: 100 }, (_, i) => ({ streamId: `floor-batch-${round}-${b}`, revision: i, event: vote(b * 100 + i) })));
          return async () => {
            for (const batch of batchRows) await pool.query(insertMany(floorSchema), floorValues(batch));
          };
        },
        (round) => {
          const batchEvents = Array.from({ length: batches }, (_, b) => Array.from({ length: 100 }, (_, i) => vote(b * 100 + i)));
          logged += batches * 100;
          return async () => {
            for (let b = 0; b < batches; b++) await store.appendToStream(`batch-${round}-${b}`, batchEvents[b]!, { expectedRevision: 'no_stream' });
          };
        },
      );
      rows.push(row({ roundRatios: batched.ratios, benchmark: 'append 100 events/append', backend: 'postgres', events: batches * 100, seconds: batched.library.seconds, floorSeconds: batched.floor.seconds, peakRssMb: batched.library.peakRssMb, target: 0.8 }));

      // Single-event appends from 8 concurrent connections.
      const perWriter = Math.ceil(concurrentAppends / writers);
      const concurrent = await medianRound(
        ROUNDS,
        (round) => {
          const events = Array.from({ length: writers }, (_, w) => Array.from({ length: perWriter }, (_, i) => vote(w * perWriter + i)));
          return () =>
            Promise.all(
              events.map(async (mine, w) => {
                for (let i = 0; i < mine.length; i++) await floorInsertOne(pool, `floor-c-${round}-${w}-${i}`, mine[i]!);
              }),
            );
        },
        (round) => {
          const events = Array.from({ length: writers }, (_, w) => Array.from({ length: perWriter }, (_, i) => vote(w * perWriter + i)));
          logged += writers * perWriter;
          return () =>
            Promise.all(
              events.map(async (mine, w) => {
                for (let i = 0; i < mine.length; i++) await store.appendToStream(`c-${round}-${w}-${i}`, [mine[i]!], { expectedRevision: 'no_stream' });
              }),
            );
        },
      );
      rows.push(row({ roundRatios: concurrent.ratios, benchmark: 'append 1 event/append, 8 connections', backend: 'postgres', events: writers * perWriter, seconds: concurrent.library.seconds, floorSeconds: concurrent.floor.seconds, peakRssMb: concurrent.library.peakRssMb, target: 0.7 }));

      // readAll: top the log up to the target size with 1,000-event appends, then read it all.
      for (let b = 0; logged < readAllEvents; b++) {
        const size = Math.min(1_000, readAllEvents - logged);
        const start = logged;
        await store.appendToStream(`fill-${b}`, Array.from({ length: size }, (_, i) => vote(start + i)));
        logged += size;
      }
      const total = logged;
      const readAll = await medianRound(
        ROUNDS,
        () => async () => {
          let after = { commit: '0', seq: '0' };
          let n = 0;
          for (;;) {
            const page = await pool.query<{ commit: string; seq: string; data: string; metadata: string }>(
              `select stream_id, stream_revision, transaction_id::text as commit, seq, type, data, metadata from ${storeSchema}.events
               where (transaction_id, seq) > ($1::text::xid8, $2::bigint) order by transaction_id, seq limit 1000`,
              [after.commit, after.seq],
            );
            for (const r of page.rows) {
              JSON.parse(r.data);
              JSON.parse(r.metadata);
              n++;
            }
            if (page.rows.length < 1000) return n;
            const last = page.rows[page.rows.length - 1]!;
            after = { commit: last.commit, seq: last.seq };
          }
        },
        () => async () => {
          let n = 0;
          for await (const event of store.readAll({ pageSize: 1000 })) if (event.streamRevision >= 0n) n++;
          return n;
        },
      );
      if (readAll.library.result !== total || readAll.floor.result !== total) {
        throw new Error(`readAll read ${String(readAll.library.result)} events and the floor ${String(readAll.floor.result)}; the log holds ${total}`);
      }
      rows.push(row({ roundRatios: readAll.ratios, benchmark: 'readAll', backend: 'postgres', events: total, seconds: readAll.library.seconds, floorSeconds: readAll.floor.seconds, peakRssMb: readAll.library.peakRssMb, target: 0.8, note: `pages of 1,000; floor peak RSS ${readAll.floor.peakRssMb} MB` }));

      // readStream of one long stream.
      for (let done = 0; done < streamEvents; done += 100) {
        await store.appendToStream('long', Array.from({ length: Math.min(100, streamEvents - done) }, (_, i) => vote(done + i)));
      }
      const readStream = await medianRound(
        ROUNDS,
        () => async () => {
          const result = await pool.query<{ data: string; metadata: string }>(
            `select stream_id, stream_revision, transaction_id::text as commit, seq, type, data, metadata from ${storeSchema}.events
             where stream_id = $1 order by stream_revision`,
            ['long'],
          );
          for (const r of result.rows) {
            JSON.parse(r.data);
            JSON.parse(r.metadata);
          }
          return result.rows.length;
        },
        () => async () => {
          let n = 0;
          for await (const event of store.readStream('long')) if (event.streamRevision >= 0n) n++;
          return n;
        },
      );
      if (readStream.library.result !== streamEvents || readStream.floor.result !== streamEvents) {
        throw new Error(`readStream read ${String(readStream.library.result)} events and the floor ${String(readStream.floor.result)}; the stream holds ${streamEvents}`);
      }
      rows.push(row({ roundRatios: readStream.ratios, benchmark: 'readStream', backend: 'postgres', events: streamEvents, seconds: readStream.library.seconds, floorSeconds: readStream.floor.seconds, peakRssMb: readStream.library.peakRssMb, target: 0.8, note: 'floor reads the stream in one query' }));
    } finally {
      await store.close();
      await pool.query(`drop schema if exists ${storeSchema} cascade; drop schema if exists ${floorSchema} cascade`);
      await pool.end();
    }
    return rows;
  },
};

export default suite;
