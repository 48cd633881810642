import { randomUUID } from 'node:crypto';
import type { NewEvent } from '@clusterconf/domain';

/** One line of `bench/results/latest.json`: the library's figure beside the raw floor of the same backend. */
export interface BenchRow {
  readonly benchmark: string;
  readonly backend: string;
  readonly events: number;
  readonly seconds: number;
  readonly eventsPerSecond: number;
  /** The same I/O done by bare driver code (or a bare JSON.parse loop) in the same run. */
  readonly floorEventsPerSecond: number;
  /** eventsPerSecond / floorEventsPerSecond. */
  readonly ratio: number;
  readonly peakRssMb: number;
  /** The ratio of each alternating round, when the row is a median round (`medianRound`): how far the machine let it move. */
  readonly roundRatios?: readonly number[];
  /** The target for `ratio`, printed beside it. */
  readonly target?: number;
  readonly note?: string;
}

/** A benchmark suite: runs its measurements and returns their rows. */
export interface BenchSuite {
  readonly name: string;
  run(): Promise<BenchRow[]>;
}

/** Samples RSS while `work` runs and returns its result, seconds and peak RSS in MB. */
export const measure = async <T>(work: () => Promise<T> | T): Promise<{ result: T; seconds: number; peakRssMb: number }> => {
  global.gc?.();
  let peak = process.memoryUsage.rss();
  const sampler = setInterval(() => {
    peak = Math.max(peak, process.memoryUsage.rss());
  }, 10);
  const started = process.hrtime.bigint();
  try {
    const result = await work();
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    peak = Math.max(peak, process.memoryUsage.rss());
    return { result, seconds, peakRssMb: Math.round((peak / 1024 / 1024) * 10) / 10 };
  } finally {
    clearInterval(sampler);
  }
};

/** Work prepared outside the clock for round `round`: the returned function is what gets measured. */
export type Prepared = (round: number) => () => Promise<unknown> | unknown;

/** One side of a round: its seconds and result, with the largest peak RSS of any of its rounds. */
export interface Side {
  readonly seconds: number;
  readonly peakRssMb: number;
  readonly result: unknown;
}

/**
 * Runs the floor and the library in alternating rounds and returns the round whose floor-to-library ratio is the
 * median of all rounds. The two sides of a round run back to back, so they share the machine's state; a shared
 * machine's speed drifts over tens of seconds, which a best-of-each-side figure turns into a ratio of two different
 * moments (seen here: 0.50 and 0.93 for the same code). Odd rounds run the library first, so that whatever favours the
 * side that runs first or second (a page cache just warmed, a drift within the round) favours each side equally
 * often. Peak RSS is each side's largest of any round. BENCH_VERBOSE=1 prints every round.
 */
export const medianRound = async (
  rounds: number,
  floor: Prepared,
  library: Prepared,
): Promise<{ floor: Side; library: Side; ratios: number[] }> => {
  const runs: { floor: Side; library: Side }[] = [];
  let floorPeak = 0;
  let libraryPeak = 0;
  for (let round = 0; round < rounds; round++) {
    const libraryFirst = round % 2 === 1;
    const first = libraryFirst ? await measure(library(round)) : await measure(floor(round));
    const second = libraryFirst ? await measure(floor(round)) : await measure(library(round));
    const [f, l] = libraryFirst ? [second, first] : [first, second];
    if (process.env.BENCH_VERBOSE) console.log(`  round ${round}: floor ${f.seconds.toFixed(3)} s, library ${l.seconds.toFixed(3)} s, ratio ${(f.seconds / l.seconds).toFixed(3)}`);
    floorPeak = Math.max(floorPeak, f.peakRssMb);
    libraryPeak = Math.max(libraryPeak, l.peakRssMb);
    runs.push({ floor: f, library: l });
  }
  runs.sort((a, b) => a.floor.seconds / a.library.seconds - b.floor.seconds / b.library.seconds);
  const median = runs[Math.floor((runs.length - 1) / 2)]!;
  const ratios = runs.map((run) => Math.round((run.floor.seconds / run.library.seconds) * 100) / 100);
  return { floor: { ...median.floor, peakRssMb: floorPeak }, library: { ...median.library, peakRssMb: libraryPeak }, ratios };
};

/** Builds a row from the library's and the floor's measurements of the same number of events. */
export const row = (
  fields: Omit<BenchRow, 'eventsPerSecond' | 'floorEventsPerSecond' | 'ratio'> & { readonly floorSeconds: number },
): BenchRow => {
  const { floorSeconds, ...rest } = fields;
  const eventsPerSecond = Math.round(fields.events / fields.seconds);
  const floorEventsPerSecond = Math.round(fields.events / floorSeconds);
  return { ...rest, seconds: Math.round(fields.seconds * 1000) / 1000, eventsPerSecond, floorEventsPerSecond, ratio: Math.round((eventsPerSecond / floorEventsPerSecond) * 100) / 100 };
};

/** Prefixes the line on which a suite process reports its rows to bench/run.ts. */
export const ROWS_MARKER = '@@bench-rows ';

/** BENCH_SCALE, the fraction of each suite's full event counts to run (default 1). */
export const benchScale = Number(process.env.BENCH_SCALE ?? '1');

/** A full-scale count scaled by BENCH_SCALE, at least 1. */
export const scaled = (n: number): number => Math.max(1, Math.round(n * benchScale));

/** The i-th vote of the benchmarks' synthetic log, as an appendable event with a fresh id. */
export const benchVote = (i: number): NewEvent => {
  const eventId = randomUUID();
  return {
    type: 'VoteCast',
    data: { conferenceId: 'ecc2020', ballotId: 'manager-of-the-year', attendeeId: `attendee-${i}`, candidateId: `candidate-${i % 3}` },
    metadata: { eventId, occurredAt: '2020-11-10T09:00:00.000Z', correlationId: eventId, causationId: eventId, schemaVersion: 1 },
  };
};
