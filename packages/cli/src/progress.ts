import cliProgress from 'cli-progress';
import { progressLine } from './progress-line.js';

/** Reports progress of long work in named phases: a bar per phase on a terminal, nothing when output is piped. */
export interface Progress {
  /** Ends the current phase's bar (it stays on screen) and starts the next, e.g. `reading`, then `writing`. */
  phase(name: string, total?: number): void;
  /** Sets how far the current phase has come; `total` may be corrected on the way (estimates). */
  update(value: number, total?: number): void;
  /** Ends the last bar; the caller prints its own summary line afterwards. */
  stop(): void;
}

/** Options of `createProgress`. */
export interface ProgressOptions {
  /** What the bars count for, e.g. `import`. */
  readonly label: string;
  /** Starts a first phase at once with this total (0 when unknown); leave out to start phases with `phase()`. */
  readonly total?: number;
  /** The name of that first phase. */
  readonly phase?: string;
  /** Where the bars render; defaults to stderr so that piped stdout (export to stdout) stays clean. */
  readonly stream?: NodeJS.WritableStream & { isTTY?: boolean };
  /** What the numbers count; default `events`. */
  readonly unit?: string;
  /** Force on or off; by default only when the stream is a TTY and `CI` is not set. */
  readonly enabled?: boolean;
}

const silent: Progress = { phase: () => undefined, update: () => undefined, stop: () => undefined };

interface PhaseState {
  readonly name: string;
  readonly startedAt: number;
  value: number;
  total: number;
  first: { value: number; atMs: number } | undefined;
}

/**
 * Starts progress reporting: cli-progress renders, `progressLine` formats (phase, bar, count, rate, ETA). Forced onto
 * a stream that is not a terminal, each phase prints a line at its start, one a second, and one at its end.
 */
export const createProgress = (options: ProgressOptions): Progress => {
  const stream = options.stream ?? process.stderr;
  const enabled = options.enabled ?? (stream.isTTY === true && process.env.CI === undefined);
  if (!enabled) return silent;
  const unit = options.unit ?? 'events';
  let current: { state: PhaseState; bar: cliProgress.SingleBar } | undefined;

  const frame = (state: PhaseState): string => {
    const elapsedMs = performance.now() - state.startedAt;
    return progressLine({
      label: options.label, phase: state.name, value: state.value, total: state.total, elapsedMs,
      first: state.first ?? { value: state.value, atMs: elapsedMs }, unit, barWidth: 24,
    });
  };
  const stop = (): void => {
    current?.bar.stop();
    current = undefined;
  };
  const phase = (name: string, total = 0): void => {
    stop();
    const state: PhaseState = { name, startedAt: performance.now(), value: 0, total, first: undefined };
    const bar = new cliProgress.SingleBar({
      stream: stream as NodeJS.WriteStream,
      format: () => frame(state),
      hideCursor: true,
      // A terminal keeps each phase's last bar; elsewhere its last line is already written, with its newline.
      clearOnComplete: stream.isTTY !== true,
      noTTYOutput: true,
      notTTYSchedule: 1000,
      fps: 12,
    });
    current = { state, bar };
    bar.start(1, 0);
  };
  if (options.total !== undefined) phase(options.phase ?? '', options.total);

  return {
    phase,
    update(value, total) {
      if (current === undefined) return;
      const { state, bar } = current;
      state.first ??= { value, atMs: performance.now() - state.startedAt };
      if (total !== undefined && total > 0) state.total = total;
      if (state.total > 0 && value > state.total) state.total = value;
      state.value = value;
      // The formatter reads the state; update() only lets cli-progress schedule a redraw.
      bar.update(value);
    },
    stop,
  };
};
