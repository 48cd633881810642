/**
 * A live projection under write load: 8 writers append single votes (one `no_stream` append per vote stream, as the
 * conference service does) to a PostgreSQL event store while one runner keeps the ballot tallies live in PostgreSQL
 * read models in the same schema. The row is the projection's rate — events committed to the read model per second,
 * from the first append until the runner has committed the last — beside the floor: the append rate the writers
 * reached in the same round (the events could not be projected faster than they arrived). A ratio of 1 means the
 * projection kept pace with the writers; below 1 it fell behind and caught up after the writers stopped.
 * Alternating rounds as everywhere (`medianRound`); here the "floor" run is the same writers with no runner, so the
 * append rate without a projection competing for the two cores is the reference.
 * PostgreSQL connects to BENCH_POSTGRES_URL, else postgres://postgres@127.0.0.1:5432/test; unreachable, the suite
 * reports no row and says so.
 */
import pg from 'pg';
import { conferenceEvents, type EventStore, type Position } from '@clusterconf/domain';
import { ballotTalliesProjection, createProjectionRunner } from '@clusterconf/projections';
import { PostgresEventStore, PostgresReadModelStore } from '@clusterconf/adapters/postgres';
import { postgresReachable } from '../postgres-reachable.js';
import { benchVote, medianRound, row, scaled, type BenchRow, type BenchSuite } from '../bench-row.js';

const url = process.env.BENCH_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const writers = 8;
const total = scaled(12_000);
const rounds = Number(process.env.BENCH_ROUNDS ?? '3');

/** Each writer appends its share of single-vote streams, one append at a time, as fast as the store answers. */
const appendVotes = async (store: EventStore, offset: number): Promise<Position> => {
  const perWriter = Math.ceil(total / writers);
  let last: Position | undefined;
  await Promise.all(
    Array.from({ length: writers }, async (_, w) => {
      for (let i = 0; i < perWriter; i++) {
        const n = offset + w * perWriter + i;
        const result = await store.appendToStream(`vote-ecc2020.manager-of-the-year.attendee-${n}`, [benchVote(n)], { expectedRevision: 'no_stream' });
        if (last === undefined || result.position.commit > last.commit) last = result.position;
      }
    }),
  );
  return last!;
};


const suite: BenchSuite = {
  name: 'live-projection',
  async run(): Promise<BenchRow[]> {
    if (!(await postgresReachable(url))) {
      console.log(`PostgreSQL at ${url} is unreachable: no live-projection row`);
      return [];
    }
    const schemas: string[] = [];
    const open = async (round: number, side: string) => {
      const schema = `bench_live_${process.pid}_${side}_${round}`;
      schemas.push(schema);
      const eventStore = await PostgresEventStore.open({ connectionString: url, schema, poolSize: writers });
      const readModelStore = await PostgresReadModelStore.open({ connectionString: url, schema });
      return { eventStore, readModelStore };
    };
    // The tallies of one ballot: every vote changes the same document, the hardest case for a live projection.
    const tallies = ballotTalliesProjection;
    let appendSeconds = 0;
    const result = await medianRound(
      rounds,
      (round) => {
        let stores: Awaited<ReturnType<typeof open>> | undefined;
        const opened = open(round, 'floor').then((s) => (stores = s));
        return async () => {
          await opened;
          await appendVotes(stores!.eventStore, 0);
          await stores!.eventStore.close();
          await stores!.readModelStore.close();
        };
      },
      (round) => {
        let stores: Awaited<ReturnType<typeof open>> | undefined;
        const opened = open(round, 'library').then((s) => (stores = s));
        return async () => {
          await opened;
          const { eventStore, readModelStore } = stores!;
          const runner = createProjectionRunner({ eventStore, readModelStore, registry: conferenceEvents, projections: [tallies] });
          await runner.start();
          const started = process.hrtime.bigint();
          const last = await appendVotes(eventStore, 0);
          appendSeconds = Number(process.hrtime.bigint() - started) / 1e9;
          await runner.waitFor(last, { timeoutMs: 300_000 });
          await runner.stop();
          await eventStore.close();
          await readModelStore.close();
        };
      },
    );
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    for (const schema of schemas) await client.query(`drop schema if exists "${schema}" cascade`);
    await client.end();
    const events = writers * Math.ceil(total / writers);
    return [
      row({
        roundRatios: result.ratios,
        benchmark: 'live projection while 8 writers append',
        backend: 'postgres',
        events,
        seconds: result.library.seconds,
        floorSeconds: result.floor.seconds,
        peakRssMb: result.library.peakRssMb,
        note: `floor: the same 8 writers with no runner; with the runner the writers appended at ${Math.round(events / appendSeconds).toLocaleString('en')} events/s (last round)`,
      }),
    ];
  },
};

export default suite;
