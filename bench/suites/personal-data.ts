/**
 * Rebuild of the six conference read models from a SQLite event store of 1,000,000 events (BENCH_SCALE scales it)
 * whose attendee registrations (45 % of the log) carry their names sealed with AES-256-GCM under a key per attendee,
 * read through `withPersonalData` with the keys in a `SqliteKeyStore` in the same file, beside the same rebuild of
 * the same history stored without encryption, in the same run. The ratio is plain seconds / sealed seconds: what
 * opening the personal data costs a rebuild (one key query per page, one decryption per name; every other event passes
 * as it comes). Both sides build into the memory read-model store, the fastest one, so the ratio is the lowest any
 * store shows. Plain and sealed alternate for BENCH_ROUNDS rounds (default 7); the row is the median round.
 * NODE_ENV is `production` for the suite unless the caller set it, as in projection-rebuild.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { conferenceEvents, createShredder, type EventStore, type NewEvent } from '@clusterconf/domain';
import { conferenceProjections, createProjectionRunner, MemoryReadModelStore, type ReadModelStore } from '@clusterconf/projections';
import { withPersonalData } from '@clusterconf/adapters/personal-data';
import { SqliteEventStore, SqliteKeyStore, SqliteReadModelStore } from '@clusterconf/adapters/sqlite';
import { medianRound, row, type BenchRow, type BenchSuite } from '../bench-row.js';
import { writeHistoryFile } from './projection-rebuild.js';

const scale = Number(process.env.BENCH_SCALE ?? '1');
const total = Math.max(100, Math.round(1_000_000 * scale));
const batchSize = 1_000;
const rounds = Number(process.env.BENCH_ROUNDS ?? '7');

/**
 * Copies the plain history into `sealedFile` row for row (same positions, ids and metadata) and seals every
 * registration's name through the shredder, creating the attendees' keys in the same file: the history as
 * `withPersonalData` would have written it, without a million appends.
 */
const sealHistory = async (plainFile: string, sealedFile: string): Promise<number> => {
  await (await SqliteEventStore.open({ path: sealedFile })).close();
  const db = new Database(sealedFile);
  const keyStore = await SqliteKeyStore.open({ database: db });
  const shredder = createShredder({ keyStore, registry: conferenceEvents });
  db.prepare('ATTACH DATABASE ? AS plain').run(plainFile);
  db.exec('INSERT INTO main.events SELECT * FROM plain.events');
  const page = db.prepare("SELECT position, stream_id, data, metadata FROM main.events WHERE type = 'AttendeeRegistered' AND position > ? ORDER BY position LIMIT 1000");
  const update = db.prepare('UPDATE main.events SET data = ? WHERE position = ?');
  let after = 0;
  let sealed = 0;
  for (;;) {
    const rows = page.all(after) as { position: number; stream_id: string; data: string; metadata: string }[];
    if (rows.length === 0) break;
    const events: NewEvent[] = rows.map((r) => ({ type: 'AttendeeRegistered', data: JSON.parse(r.data), metadata: JSON.parse(r.metadata) }));
    const protectedEvents = await shredder.protect(rows[0]!.stream_id, events);
    db.transaction(() => protectedEvents.forEach((event, i) => update.run(JSON.stringify(event.data), rows[i]!.position)))();
    sealed += rows.length;
    after = rows[rows.length - 1]!.position;
  }
  db.exec('DETACH DATABASE plain');
  await keyStore.close();
  db.close();
  return sealed;
};

const rebuild = async (events: EventStore, readModels: ReadModelStore = new MemoryReadModelStore()): Promise<void> => {
  const runner = createProjectionRunner({ eventStore: events, readModelStore: readModels, registry: conferenceEvents, projections: conferenceProjections, batchSize });
  await runner.start();
  await runner.waitFor((await events.headPosition())!, { timeoutMs: 3_600_000 });
  await runner.stop();
  const failed = (await runner.status()).filter((s) => s.state === 'failed');
  if (failed.length > 0) throw failed[0]!.error;
};

const suite: BenchSuite = {
  name: 'personal-data',
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

const runSuite = async (): Promise<BenchRow[]> => {
  const dir = mkdtempSync(join(tmpdir(), 'clusterconf-bench-personal-'));
  const plainFile = join(dir, 'plain.sqlite');
  const sealedFile = join(dir, 'sealed.sqlite');
  try {
    await writeHistoryFile(plainFile);
    const sealedCount = await sealHistory(plainFile, sealedFile);
    const plain = await SqliteEventStore.open({ path: plainFile });
    const sealedStore = await SqliteEventStore.open({ path: sealedFile });
    const keyStore = await SqliteKeyStore.open({ database: sealedStore.database });
    const sealed = withPersonalData(sealedStore, { keyStore, registry: conferenceEvents, batchSize });
    try {
      // Warm both paths once, so neither side pays for the JIT alone.
      await rebuild(plain);
      await rebuild(sealed);
      const note = (models: string) => `6 read models into ${models}, ${sealedCount.toLocaleString('en')} AES-256-GCM names, keys in a ` +
        `SqliteKeyStore in the events' file; floor: the same rebuild of the same history stored without encryption; median of ${rounds} rounds`;
      const medianRow = (backend: string, median: Awaited<ReturnType<typeof medianRound>>, text: string): BenchRow => row({
        roundRatios: median.ratios, benchmark: 'rebuild with sealed names', backend, events: total, seconds: median.library.seconds,
        floorSeconds: median.floor.seconds, peakRssMb: median.library.peakRssMb, target: 0.6, note: text,
      });
      const memory = await medianRound(rounds, () => () => rebuild(plain), () => () => rebuild(sealed));
      // SQLite read models, a new file per side and round, as a deployment keeps them.
      const sqlite = await medianRound(
        rounds,
        (round) => async () => {
          const models = await SqliteReadModelStore.open({ path: join(dir, `plain-models-${round}.sqlite`) });
          await rebuild(plain, models);
          await models.close();
        },
        (round) => async () => {
          const models = await SqliteReadModelStore.open({ path: join(dir, `sealed-models-${round}.sqlite`) });
          await rebuild(sealed, models);
          await models.close();
        },
      );
      return [medianRow('sqlite → memory', memory, note('the memory store')), medianRow('sqlite → sqlite', sqlite, note('a SQLite file'))];
    } finally {
      await keyStore.close();
      await sealedStore.close();
      await plain.close();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
};

export default suite;
