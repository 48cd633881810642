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
