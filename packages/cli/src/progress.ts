import cliProgress from 'cli-progress';

/** Reports progress of long work: a bar on a terminal, nothing while running when output is piped. */
export interface Progress {
  /** Sets how far the work has come; `total` may be corrected on the way (estimates). */
  update(value: number, total?: number): void;
  /** Ends the bar; the caller prints its own summary line afterwards. */
  stop(): void;
}

/** Options of `createProgress`. */
export interface ProgressOptions {
  /** What the bar counts, e.g. "seed ecc2020". */
  readonly label: string;
  /** The expected total; 0 when unknown (the bar then shows only the count). */
  readonly total: number;
  /** Where the bar renders; defaults to stderr so that piped stdout (export to stdout) stays clean. */
  readonly stream?: NodeJS.WriteStream;
  /** What the numbers count; default `events`. */
  readonly unit?: string;
  /** Force on or off; by default only when the stream is a TTY. */
  readonly enabled?: boolean;
}

/** Starts a progress bar (cli-progress) when the output is a terminal; otherwise a silent no-op. */
export const createProgress = (options: ProgressOptions): Progress => {
  const stream = options.stream ?? process.stderr;
  const enabled = options.enabled ?? (stream.isTTY === true && process.env.CI === undefined);
  if (!enabled) return { update: () => undefined, stop: () => undefined };
  const known = options.total > 0;
  const unit = options.unit ?? 'events';
  const bar = new cliProgress.SingleBar(
    {
      stream,
      format: known
        ? `${options.label.padEnd(16)} [{bar}] {percentage}% | {value}/{total} ${unit} | {duration_formatted}`
        : `${options.label.padEnd(16)} {value} ${unit} | {duration_formatted}`,
      hideCursor: true,
      clearOnComplete: false,
      fps: 12,
    },
    cliProgress.Presets.shades_classic,
  );
  bar.start(Math.max(options.total, 1), 0);
  let total = options.total;
  return {
    update(value, newTotal) {
      if (newTotal !== undefined && newTotal !== total && newTotal > 0) {
        total = newTotal;
        bar.setTotal(newTotal);
      }
      if (total > 0 && value > total) {
        total = value;
        bar.setTotal(value);
      }
      bar.update(value);
    },
    stop() {
      bar.stop();
    },
  };
};
