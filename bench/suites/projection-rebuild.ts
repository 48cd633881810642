/**
 * Rebuild of the five conference read models from a SQLite event store of 1,000,000 events (BENCH_SCALE scales it),
 * by one runner (one subscription, batches of 1,000), into the memory, SQLite and PostgreSQL read-model stores.
 * The floor in the same run does the same I/O with bare code: it reads the same rows from the event file with bare
 * better-sqlite3 in pages of 1,000 and JSON.parses data and metadata, then writes, per page, one row per read-model
 * document the page touches (the same (collection, id) keys the projections write) plus the checkpoint, in one
 * transaction: a Map for memory, a multi-row upsert for SQLite, an unnest upsert for PostgreSQL. The library's extra
 * work is decoding through the io-ts codecs, the handlers and the unit of work. Floor and library alternate for
 * BENCH_ROUNDS rounds (default 7) per backend, each building into a new store; the row is the median round (`medianRound`).
 * The library runs as in production: NODE_ENV is set to `production` for the suite unless the caller set it, so the
 * runner's development guard (deep-freezing documents) is off, as it is in a production deployment.
 * PostgreSQL connects to BENCH_POSTGRES_URL, else postgres://postgres@127.0.0.1:5432/test; when it is unreachable its
 * row is left out and the suite says so.
 */
import { execFileSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import pg from 'pg';
import { conferenceEvents, type EventStore, type NewEvent } from '@clusterconf/domain';
import { conferenceProjections, createProjectionRunner, MemoryReadModelStore, type ReadModelStore } from '@clusterconf/projections';
import { SqliteEventStore, SqliteReadModelStore } from '@clusterconf/adapters/sqlite';
import { PostgresReadModelStore } from '@clusterconf/adapters/postgres';
import { postgresReachable } from '../postgres-reachable.js';
import { medianRound, row, type BenchRow, type BenchSuite } from '../bench-row.js';

const scale = Number(process.env.BENCH_SCALE ?? '1');
const url = process.env.BENCH_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const total = Math.max(100, Math.round(1_000_000 * scale));
const batchSize = 1_000;
/** Alternating rounds per backend, of which the median is reported: this machine's speed drifts by a third. */
const rounds = Number(process.env.BENCH_ROUNDS ?? '7');
const countries = ['DE', 'FR', 'ES', 'IT', 'PL', 'NL', 'BE', 'AT', 'SE', 'PT', 'KE', 'JP', 'US', 'BR'];
const groups = ['cluster-policy', 'cluster-management', 'business', 'research', 'civil-society', 'education-and-training'];
const ballots = ['manager-of-the-year', 'cluster-of-the-year', 'young-talent', 'digital-award'];

const metadata = () => {
  const eventId = randomUUID();
  return { eventId, occurredAt: '2020-11-23T09:00:00.000Z', correlationId: eventId, causationId: eventId, schemaVersion: 1 };
};
const event = (type: string, data: unknown): NewEvent => ({ type, data, metadata: metadata() });

/** Writes an ECC-like history of `total` events: 45 % registrations, 55 % votes, a few sessions, awards and joins. */
const writeHistory = async (store: EventStore): Promise<void> => {
  const conference = 'conference-ecc2020';
  const sessions = ballots.map((id, i) =>
    event('SessionOpened', {
      conferenceId: 'ecc2020', sessionId: id, title: `Award ${id}`, day: '2020-11-24', openers: [{ name: `Chair ${i}`, role: 'chair' }],
      ballot: { awardId: id, candidates: ['a', 'b', 'c'].map((c) => ({ candidateId: `${id}-${c}`, name: `Candidate ${c}`, affiliation: 'Cluster' })) },
    }),
  );
  await store.appendToStream(conference, [
    event('ConferenceScheduled', { conferenceId: 'ecc2020', name: 'ECC 2020', days: ['2020-11-23', '2020-11-24'], capacity: null, organisers: ['EC'] }),
    ...sessions,
  ]);
  const fixed = 1 + sessions.length + ballots.length + 2 + 6;
  const registrations = Math.round((total - fixed) * 0.45);
  const votes = total - fixed - registrations;
  for (let i = 0; i < registrations; i += 1000) {
    const chunk = Array.from({ length: Math.min(1000, registrations - i) }, (_, k) => {
      const n = i + k;
      return event('AttendeeRegistered', {
        conferenceId: 'ecc2020', attendeeId: `attendee-${n}`, name: `Attendee ${n}`, country: countries[n % countries.length], stakeholderGroup: groups[n % groups.length],
      });
    });
    await store.appendToStream(conference, chunk);
  }
  for (let n = 0; n < votes; n++) {
    const ballot = ballots[n % ballots.length]!;
    const attendee = `attendee-${Math.floor(n / ballots.length) % Math.max(1, registrations)}`;
    const candidate = `${ballot}-${['a', 'b', 'c'][(n * 7) % 3]}`;
    await store.appendToStream(`vote-ecc2020.${ballot}.${attendee}`, [
      event('VoteCast', { conferenceId: 'ecc2020', ballotId: ballot, attendeeId: attendee, candidateId: candidate }),
    ]);
  }
  await store.appendToStream(conference, ballots.map((id) => event('BallotClosed', { conferenceId: 'ecc2020', sessionId: id })));
  for (const id of ballots.slice(0, 2)) {
    await store.appendToStream(`award-${id}`, [
      event('AwardGranted', { awardId: id, edition: 1, title: `Award ${id}`, recipient: 'Winner', affiliation: 'Cluster', decidedBy: { kind: 'jury' } }),
    ]);
  }
  await store.appendToStream('alliance-eca', [
    event('AllianceFounded', { allianceId: 'eca', name: 'European Cluster Alliance' }),
    ...['DE', 'FR', 'ES', 'IT', 'PL'].map((nation, i) => event('NationJoinedAlliance', { allianceId: 'eca', nation, programme: 'Programme', memberNumber: i + 1 })),
  ]);
};

/** Writes the history into a new SQLite event store file; exported for the child process `run` starts. */
export const writeHistoryFile = async (path: string): Promise<void> => {
  const store = await SqliteEventStore.open({ path });
  try {
    await writeHistory(store);
  } finally {
    await store.close();
  }
};

/**
 * Writes the history in a child process, so the garbage of a million appends does not count in this process's
 * peak RSS, which the rows report for the rebuild alone.
 */
const writeHistoryInChild = (path: string): void => {
  const self = fileURLToPath(import.meta.url);
  const script = `const { writeHistoryFile } = await import(${JSON.stringify(self)}); await writeHistoryFile(${JSON.stringify(path)});`;
  execFileSync(process.execPath, [...process.execArgv.filter((a) => a.startsWith('--conditions')), '--import', 'tsx', '--input-type=module', '--eval', script], {
    stdio: 'inherit',
    env: { ...process.env, BENCH_SCALE: String(scale) },
  });
};

/** The (collection, id) keys the conference projections write for an event, as the floor writes them. */
const touchedKeys = (type: string, data: Record<string, unknown>): string[] => {
  switch (type) {
    case 'AttendeeRegistered':
      return [`attendance_v1/conferences/${data['conferenceId']}`];
    case 'ConferenceScheduled':
      return [`agenda_v1/agendas/${data['conferenceId']}`];
    case 'SessionOpened':
      return [`agenda_v1/agendas/${data['conferenceId']}`, `ballot_tallies_v1/ballots/${data['conferenceId']}.${data['sessionId']}`];
    case 'BallotClosed':
      return [`agenda_v1/agendas/${data['conferenceId']}`, `ballot_tallies_v1/ballots/${data['conferenceId']}.${data['sessionId']}`];
    case 'VoteCast':
      return [`ballot_tallies_v1/ballots/${data['conferenceId']}.${data['ballotId']}`];
    case 'AwardGranted':
      return [`award_roll_v1/awards/${data['awardId']}`];
    default:
      return [`alliance_roster_v1/alliances/${data['allianceId']}`];
  }
};

type FloorWriter = (rows: Map<string, string>, checkpoint: number) => Promise<void> | void;

/** Bare reads of the event file in pages, with bare batched writes of the touched rows through `write`. */
const floorRun = async (eventFile: string, write: FloorWriter): Promise<number> => {
  const db = new Database(eventFile, { readonly: true });
  const page = db.prepare('SELECT position, stream_id, stream_revision, type, data, metadata FROM events WHERE position > ? ORDER BY position LIMIT ?').raw();
  let after = 0;
  let seen = 0;
  for (;;) {
    const rows = page.all(after, batchSize) as [number, string, number, string, string, string][];
    if (rows.length === 0) break;
    const touched = new Map<string, string>();
    for (const [, , , type, data, meta] of rows) {
      const parsed = JSON.parse(data) as Record<string, unknown>;
      JSON.parse(meta);
      for (const key of touchedKeys(type, parsed)) touched.set(key, data);
    }
    after = rows[rows.length - 1]![0];
    seen += rows.length;
    await write(touched, after);
  }
  db.close();
  return seen;
};

/**
 * The five read models this suite has always measured; the sixth built-in one, `attendee_directory`, writes a document
 * per attendee and is measured by bench/suites/personal-data.ts, so the rows here stay comparable over time.
 */
const measured = conferenceProjections.filter((projection) => projection.name !== 'attendee_directory');

const rebuild = async (events: EventStore, readModels: ReadModelStore): Promise<void> => {
  const runner = createProjectionRunner({ eventStore: events, readModelStore: readModels, registry: conferenceEvents, projections: measured, batchSize });
  await runner.start();
  await runner.waitFor((await events.headPosition())!, { timeoutMs: 3_600_000 });
  await runner.stop();
  const failed = (await runner.status()).filter((s) => s.state === 'failed');
  if (failed.length > 0) throw failed[0]!.error;
};


const suite: BenchSuite = {
  name: 'projection-rebuild',
  async run(): Promise<BenchRow[]> {
    const nodeEnv = process.env.NODE_ENV;
    process.env.NODE_ENV ??= 'production';
    try {
      return await runSuite();
    } finally {
      if (nodeEnv === undefined) delete process.env.NODE_ENV;
    }
  },
};

/** The suite itself, run with NODE_ENV set as described above. */
const runSuite = async (): Promise<BenchRow[]> => {
  const dir = mkdtempSync(join(tmpdir(), 'clusterconf-bench-rebuild-'));
  const eventFile = join(dir, 'events.sqlite');
  const rows: BenchRow[] = [];
  writeHistoryInChild(eventFile);
  const events = await SqliteEventStore.open({ path: eventFile });
  const tag = `${process.pid}_${Date.now().toString(36)}`;
  const pool = new pg.Pool({ connectionString: url, max: 2 });
  pool.on('error', () => undefined);
  try {
    const note = (floor: string) => `5 read models, batches of ${batchSize}, median of ${rounds} rounds; floor: bare better-sqlite3 reads + ${floor}`;
    const medianRow = (backend: string, median: Awaited<ReturnType<typeof medianRound>>, target: number, text: string): BenchRow =>
      row({ roundRatios: median.ratios, benchmark: 'projection rebuild', backend, events: total, seconds: median.library.seconds, floorSeconds: median.floor.seconds, peakRssMb: median.library.peakRssMb, target, note: text });

    // Warm both paths once, so the first backend measured does not pay for the JIT alone.
    await floorRun(eventFile, () => undefined);
    await rebuild(events, new MemoryReadModelStore());

    // Memory.
    const memory = await medianRound(
      rounds,
      () => () => {
        const documents = new Map<string, string>();
        const checkpoints = new Map<string, number>();
        return floorRun(eventFile, (touched, checkpoint) => {
          for (const [key, body] of touched) documents.set(key, body);
          checkpoints.set('floor', checkpoint);
        });
      },
      () => () => rebuild(events, new MemoryReadModelStore()),
    );
    rows.push(medianRow('memory', memory, 0.8, note('Map writes')));

    // SQLite read models, in a new file each round (the floor's too), so every round builds from nothing.
    const sqlite = await medianRound(
      rounds,
      (round) => async () => {
        const floorDb = new Database(join(dir, `floor-${round}.sqlite`));
        floorDb.pragma('journal_mode = WAL');
        floorDb.pragma('synchronous = NORMAL');
        floorDb.exec('CREATE TABLE docs (key TEXT PRIMARY KEY, body TEXT NOT NULL); CREATE TABLE checkpoints (name TEXT PRIMARY KEY, position TEXT NOT NULL)');
        const upsert = floorDb.prepare('INSERT INTO docs (key, body) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET body = excluded.body');
        const saveCheckpoint = floorDb.prepare('INSERT INTO checkpoints VALUES (?, ?) ON CONFLICT (name) DO UPDATE SET position = excluded.position');
        const writeSqlite = floorDb.transaction((touched: Map<string, string>, checkpoint: number) => {
          for (const [key, body] of touched) upsert.run(key, body);
          saveCheckpoint.run('floor', String(checkpoint));
        });
        await floorRun(eventFile, (touched, checkpoint) => writeSqlite(touched, checkpoint));
        floorDb.close();
      },
      (round) => async () => {
        const models = await SqliteReadModelStore.open({ path: join(dir, `read-models-${round}.sqlite`) });
        await rebuild(events, models);
        await models.close();
      },
    );
    rows.push(medianRow('sqlite', sqlite, 0.6, note('one upsert transaction per page')));

    // PostgreSQL, in a new schema each round.
    if (await postgresReachable(url)) {
      const schemas: string[] = [];
      const schema = (side: string) => {
        const name = `bench_${side}_rebuild_${tag}_${schemas.length}`;
        schemas.push(name);
        return name;
      };
      try {
        const client = await pool.connect();
        const postgres = await medianRound(
          rounds,
          () => async () => {
            const floorSchema = schema('floor');
            await client.query(`create schema ${floorSchema}; create table ${floorSchema}.docs (key text primary key, body jsonb not null);
              create table ${floorSchema}.checkpoints (name text primary key, position text not null)`);
            await floorRun(eventFile, async (touched, checkpoint) => {
              await client.query('begin');
              await client.query(
                `insert into ${floorSchema}.docs (key, body) select * from unnest($1::text[], $2::jsonb[]) on conflict (key) do update set body = excluded.body`,
                [[...touched.keys()], [...touched.values()]],
              );
              await client.query(`insert into ${floorSchema}.checkpoints values ('floor', $1) on conflict (name) do update set position = excluded.position`, [String(checkpoint)]);
              await client.query('commit');
            });
          },
          () => async () => {
            const models = await PostgresReadModelStore.open({ connectionString: url, schema: schema('store'), poolSize: 2 });
            await rebuild(events, models);
            await models.close();
          },
        );
        client.release();
        rows.push(medianRow('postgres', postgres, 0.6, note('one unnest upsert transaction per page')));
      } finally {
        for (const name of schemas) await pool.query(`drop schema if exists ${name} cascade`);
      }
    } else {
      console.warn(`projection-rebuild: PostgreSQL at ${url} is unreachable; its row is left out`);
    }
    return rows;
  } finally {
    await events.close();
    await pool.end();
    rmSync(dir, { recursive: true, force: true });
  }
};

export default suite;
