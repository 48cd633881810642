/**
 * Dynamic Consistency Boundaries on SQLite and PostgreSQL, beside bare driver code in the same run, at three log sizes
 * (10,000, 100,000 and 1,000,000 stored events, scaled by BENCH_SCALE), to show the cost stays flat as the log grows:
 * - a conditional append of one event (a vote, three tags) on the conference model's two-item query ("this
 *   attendee's votes on this ballot, plus the ballot's opening and closing"), beside the plain single-event append
 *   floor: one bare INSERT of the event row per transaction into the store's own events table (so into a table of
 *   the same size, with the same keys), as the stores' own suites measure it. The library does more than the floor on
 *   purpose: the condition's check, a tag index row per tag and, on PostgreSQL, the advisory locks;
 * - a query read of the 10,000 events of one ballot (type and tag) among all the others, beside a bare indexed read
 *   of the same rows: keyset pages of 1,000 over the store's own tag index joined to its events, JSON.parse of data
 *   and metadata.
 * The log holds those 10,000 ballot events from the start, and grows with votes on other ballots between the sizes;
 * every row is the median of alternating rounds of floor and library (`medianRound`). PostgreSQL rows need
 * BENCH_POSTGRES_URL (default postgres://postgres@127.0.0.1:5432/test) to answer, and are left out otherwise.
 */
import Database from 'better-sqlite3';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { randomUUID } from 'node:crypto';
import type { DcbEventStore, EventStore, NewEvent, Query } from '@clusterconf/domain';
import { SqliteEventStore } from '@clusterconf/adapters/sqlite';
import { PostgresEventStore } from '@clusterconf/adapters/postgres';
import { medianRound, row, scaled, type BenchRow, type BenchSuite } from '../bench-row.js';
import { postgresReachable } from '../postgres-reachable.js';

const url = process.env.BENCH_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const sizes = [10_000, 100_000, 1_000_000].map(scaled);
const matching = scaled(10_000);
// At least 300 per round even at a small BENCH_SCALE: fewer are too short a measurement on a shared machine.
const appendsPerRound = Math.max(300, scaled(2_000));
const ROUNDS = 3;
const HOT = 'hot';
/** The index key of the hot ballot's tag with VoteCast, as the stores write it (`tagKey` in shared/query-scans.ts). */
const HOT_KEY = `ballot:c.${HOT}\u001fVoteCast`;

const vote = (ballot: string, attendee: string, tags: readonly string[]): NewEvent => {
  const eventId = randomUUID();
  return {
    type: 'VoteCast',
    data: { conferenceId: 'c', ballotId: ballot, attendeeId: attendee, candidateId: 'candidate-1' },
    metadata: { eventId, occurredAt: '2020-11-10T09:00:00.000Z', correlationId: eventId, causationId: eventId, schemaVersion: 1 },
    tags,
  };
};
/** A vote as the conference model tags it. */
const taggedVote = (ballot: string, attendee: string) => vote(ballot, attendee, [`attendee:c.${attendee}`, `ballot:c.${ballot}`, 'conference:c']);
const voteQuery = (ballot: string, attendee: string): Query => ({
  items: [
    { types: ['VoteCast'], tags: [`attendee:c.${attendee}`, `ballot:c.${ballot}`] },
    { types: ['SessionOpened', 'BallotClosed'], tags: [`ballot:c.${ballot}`] },
  ],
});
const hotQuery: Query = { items: [{ types: ['VoteCast'], tags: [`ballot:c.${HOT}`] }] };

/** Fills the log with votes on a thousand other ballots, one tag each, in appends of 1,000, up to `size` events. */
const fillTo = async (store: EventStore, stored: number, size: number): Promise<number> => {
  for (let batch = 0; stored < size; batch++) {
    const n = Math.min(1_000, size - stored);
    const from = stored;
    await store.appendToStream(`fill-${from}`, Array.from({ length: n }, (_, i) => vote(`f${(from + i) % 1000}`, `x${from + i}`, [`ballot:c.f${(from + i) % 1000}`])));
    stored += n;
  }
  return stored;
};

const readCount = async (store: DcbEventStore): Promise<number> => {
  let n = 0;
  for await (const event of store.read(hotQuery)) if (event.streamRevision >= 0n) n++;
  return n;
};

const parsed = (rows: readonly { data: string; metadata: string }[]): number => {
  for (const r of rows) {
    JSON.parse(r.data);
    JSON.parse(r.metadata);
  }
  return rows.length;
};

/** What one backend offers the measurements: its store and bare floors over the same storage. */
interface Backend {
  readonly name: string;
  readonly store: EventStore & DcbEventStore;
  /** One bare single-event append (an INSERT of the event row in its own transaction) to a floor table. */
  readonly floorAppend: (streamId: string, event: NewEvent) => Promise<void> | void;
  /** The hot ballot's events by the store's own tag index, paged, parsed; returns how many. */
  readonly floorRead: () => Promise<number> | number;
  readonly close: () => Promise<void>;
}

const sqliteBackend = async (dir: string): Promise<Backend> => {
  const store = await SqliteEventStore.open({ path: join(dir, 'store.sqlite') });
  // The floor writes to the store's own file (a second connection, the same pragmas), so its table grows with the log.
  const floor = new Database(join(dir, 'store.sqlite'), { timeout: 5000 });
  floor.pragma('synchronous = NORMAL');
  const insert = floor.prepare('INSERT INTO events (stream_id, stream_revision, event_id, type, data, metadata) VALUES (?, 0, ?, ?, ?, ?)');
  const append = floor.transaction((streamId: string, event: NewEvent) => insert.run(streamId, event.metadata.eventId, event.type, JSON.stringify(event.data), JSON.stringify(event.metadata)));
  const reader = new Database(join(dir, 'store.sqlite'), { readonly: true });
  const page = reader.prepare(`SELECT e.position, e.stream_id, e.stream_revision, e.type, e.data, e.metadata, e.tags FROM event_tags t
    JOIN events e ON e.position = t.position WHERE t.tag = ? AND t.position > ? ORDER BY t.position LIMIT 1000`);
  return {
    name: 'sqlite',
    store,
    floorAppend: (streamId, event) => void append.immediate(streamId, event),
    floorRead: () => {
      let n = 0;
      for (let after = 0; ;) {
        const rows = page.all(HOT_KEY, after) as { position: number; data: string; metadata: string }[];
        n += parsed(rows);
        if (rows.length < 1000) return n;
        after = rows[rows.length - 1]!.position;
      }
    },
    close: async () => {
      reader.close();
      floor.close();
      await store.close();
    },
  };
};

const postgresBackend = async (): Promise<Backend> => {
  const tag = `${process.pid}_${Date.now().toString(36)}`;
  const schema = `bench_dcb_${tag}`;
  const pool = new pg.Pool({ connectionString: url, max: 2 });
  pool.on('error', () => undefined);
  const store = await PostgresEventStore.open({ connectionString: url, schema });
  const client = await pool.connect();
  return {
    name: 'postgres',
    store,
    floorAppend: async (streamId, event) => {
      // Into the store's own events table, so a table of the same size with the same keys.
      await client.query(`insert into ${schema}.events (stream_id, stream_revision, event_id, type, data, metadata) values ($1, 0, $2, $3, $4, $5)`,
        [streamId, event.metadata.eventId, event.type, JSON.stringify(event.data), JSON.stringify(event.metadata)]);
    },
    floorRead: async () => {
      let n = 0;
      for (let after = { commit: '0', seq: '0' }; ;) {
        const { rows } = await client.query<{ commit: string; seq: string; data: string; metadata: string }>(
          `select e.stream_id, e.stream_revision, e.transaction_id::text as commit, e.seq::text as seq, e.type, e.data, e.metadata, e.tags
           from ${schema}.event_tags t join ${schema}.events e on e.transaction_id = t.transaction_id and e.seq = t.seq
           where t.tag = $1 and (t.transaction_id, t.seq) > ($2::text::xid8, $3::bigint) order by t.transaction_id, t.seq limit 1000`,
          [HOT_KEY, after.commit, after.seq],
        );
        n += parsed(rows);
        if (rows.length < 1000) return n;
        after = { commit: rows[rows.length - 1]!.commit, seq: rows[rows.length - 1]!.seq };
      }
    },
    close: async () => {
      client.release();
      await store.close();
      await pool.query(`drop schema if exists ${schema} cascade`);
      await pool.end();
    },
  };
};

/** The measurements of one backend at every size. */
const measureBackend = async (backend: Backend): Promise<BenchRow[]> => {
  const { store } = backend;
  const rows: BenchRow[] = [];
  // The hot ballot's events first, so every size holds all of them; appends of 1,000 as an import would make them.
  for (let done = 0; done < matching; done += 1_000) {
    const n = Math.min(1_000, matching - done);
    await store.appendToStream(`hot-${done}`, Array.from({ length: n }, (_, i) => taggedVote(HOT, `h${done + i}`)));
  }
  let stored = matching;
  let voter = 0;
  const appendRates: number[] = [];
  const readRates: number[] = [];
  for (const size of sizes) {
    stored = await fillTo(store, stored, Math.max(size, stored));
    const label = `${stored.toLocaleString('en')} stored`;
    const appended = await medianRound(
      ROUNDS,
      () => {
        const events = Array.from({ length: appendsPerRound }, () => taggedVote('b', `floor-${voter++}`));
        return async () => {
          for (const [i, event] of events.entries()) await backend.floorAppend(`floor-${voter}-${i}`, event);
        };
      },
      () => {
        const attendees = Array.from({ length: appendsPerRound }, () => `a${voter++}`);
        return async () => {
          for (const attendee of attendees) await store.append(`vote-c.b.${attendee}`, [taggedVote('b', attendee)], { failIfEventsMatch: voteQuery('b', attendee) });
        };
      },
    );
    stored += appendsPerRound * ROUNDS;
    appendRates.push(appendsPerRound / appended.library.seconds);
    rows.push(row({
      roundRatios: appended.ratios, benchmark: `conditional append 1 event, 2-item query, ${label}`, backend: backend.name, events: appendsPerRound,
      seconds: appended.library.seconds, floorSeconds: appended.floor.seconds, peakRssMb: appended.library.peakRssMb, target: 0.7,
      note: `floor: bare single-event INSERT; ${(appendRates.at(-1)! / appendRates[0]!).toFixed(2)} of the rate at the smallest size`,
    }));
    const read = await medianRound(ROUNDS, () => () => backend.floorRead(), () => () => readCount(store));
    if (read.library.result !== matching || read.floor.result !== matching) {
      throw new Error(`the query read ${String(read.library.result)} events and the floor ${String(read.floor.result)}; the ballot holds ${matching}`);
    }
    readRates.push(matching / read.library.seconds);
    rows.push(row({
      roundRatios: read.ratios, benchmark: `query read of ${matching.toLocaleString('en')} matching, ${label}`, backend: backend.name, events: matching,
      seconds: read.library.seconds, floorSeconds: read.floor.seconds, peakRssMb: read.library.peakRssMb, target: 0.8,
      note: `floor: bare keyset read of the tag index; ${(readRates.at(-1)! / readRates[0]!).toFixed(2)} of the rate at the smallest size`,
    }));
  }
  return rows;
};

const suite: BenchSuite = {
  name: 'dcb',
  async run(): Promise<BenchRow[]> {
    const rows: BenchRow[] = [];
    const dir = mkdtempSync(join(tmpdir(), 'clusterconf-bench-dcb-'));
    try {
      const sqlite = await sqliteBackend(dir);
      try {
        rows.push(...(await measureBackend(sqlite)));
      } finally {
        await sqlite.close();
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
    if (await postgresReachable(url)) {
      const postgres = await postgresBackend();
      try {
        rows.push(...(await measureBackend(postgres)));
      } finally {
        await postgres.close();
      }
    } else {
      console.warn(`dcb: PostgreSQL at ${url} does not answer; its rows are left out`);
    }
    return rows;
  },
};

export default suite;
