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

/**
 * Measures the floor and the library in alternating rounds, so both see the same heap and machine state, and keeps
 * each side's fastest round (a shared machine only ever slows a round down); peak RSS is the largest of any round.
 */
export const bestOfAlternating = async (
  rounds: number,
  floorWork: () => Promise<unknown> | unknown,
  libraryWork: () => Promise<unknown> | unknown,
): Promise<{ floor: { seconds: number; peakRssMb: number }; library: { seconds: number; peakRssMb: number } }> => {
  const floor = { seconds: Number.POSITIVE_INFINITY, peakRssMb: 0 };
  const library = { seconds: Number.POSITIVE_INFINITY, peakRssMb: 0 };
  for (let round = 0; round < rounds; round++) {
    for (const [side, work] of [[floor, floorWork], [library, libraryWork]] as const) {
      const { seconds, peakRssMb } = await measure(work);
      side.seconds = Math.min(side.seconds, seconds);
      side.peakRssMb = Math.max(side.peakRssMb, peakRssMb);
    }
  }
  return { floor, library };
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
