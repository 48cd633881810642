/** One frame of a progress line: what is counted, how far it is, and for how long it has run. */
export interface ProgressFrame {
  /** The command, e.g. `import`. */
  readonly label: string;
  /** The named phase of the command, e.g. `writing`; empty for a command of one phase. */
  readonly phase: string;
  readonly value: number;
  /** The expected total; 0 when unknown (then no bar, percentage or ETA). */
  readonly total: number;
  /** Since the phase started. */
  readonly elapsedMs: number;
  /**
   * The first value reported in this phase and when (ms after its start): the rate counts from there, so a replay
   * resumed at a checkpoint is not credited with the events before it.
   */
  readonly first: { readonly value: number; readonly atMs: number };
  /** What the numbers count, e.g. `events`. */
  readonly unit: string;
  /** Characters of the bar. */
  readonly barWidth: number;
}

const count = (n: number): string => Math.round(n).toLocaleString('en-US');

/** A duration for people: `0.4 s`, `45 s`, `3 min 20 s`, `2 h 05 min`. */
export const formatDuration = (seconds: number): string => {
  if (seconds < 9.95) return `${Math.max(0, seconds).toFixed(1)} s`;
  const s = Math.round(seconds);
  if (s < 60) return `${s} s`;
  if (s < 3600) return `${Math.floor(s / 60)} min ${String(s % 60).padStart(2, '0')} s`;
  return `${Math.floor(s / 3600)} h ${String(Math.floor((s % 3600) / 60)).padStart(2, '0')} min`;
};

/**
 * The rate of this phase per second since its first report, or `undefined` before a tenth of a second of it; once the
 * total is reached, the phase's overall rate, which a phase too short to sample still has.
 */
export const ratePerSecond = (frame: Pick<ProgressFrame, 'value' | 'total' | 'first' | 'elapsedMs'>): number | undefined => {
  if (frame.total > 0 && frame.value >= frame.total) return frame.elapsedMs > 0 && frame.value > 0 ? frame.value / (frame.elapsedMs / 1000) : undefined;
  const done = frame.value - frame.first.value;
  const ms = frame.elapsedMs - frame.first.atMs;
  return ms < 100 || done <= 0 ? undefined : done / (ms / 1000);
};

/** Seconds left at the current rate, or `undefined` when the total or the rate is not known. */
export const etaSeconds = (frame: Pick<ProgressFrame, 'value' | 'total' | 'first' | 'elapsedMs'>): number | undefined => {
  const rate = ratePerSecond(frame);
  if (frame.total <= 0 || rate === undefined) return undefined;
  return Math.max(0, frame.total - frame.value) / rate;
};

/**
 * The text of a progress line, e.g.
 * `import writing    [████████░░░░░░░░]  50% | 817/1,633 events | 2,410 events/s | ETA 0 s`;
 * without a known total: `export writing    817 events | 2,410 events/s | 0 s elapsed`.
 */
export const progressLine = (frame: ProgressFrame): string => {
  const head = `${frame.label} ${frame.phase}`.trimEnd().padEnd(18);
  const rate = ratePerSecond(frame);
  const rateText = `${rate === undefined ? '-' : count(rate)} ${frame.unit}/s`;
  if (frame.total <= 0) {
    return `${head} ${count(frame.value)} ${frame.unit} | ${rateText} | ${formatDuration(frame.elapsedMs / 1000)} elapsed`;
  }
  const ratio = Math.min(1, Math.max(0, frame.value / frame.total));
  const filled = Math.round(ratio * frame.barWidth);
  const bar = `${'█'.repeat(filled)}${'░'.repeat(frame.barWidth - filled)}`;
  const eta = etaSeconds(frame);
  const percent = `${Math.floor(ratio * 100)}%`.padStart(4);
  return `${head} [${bar}] ${percent} | ${count(frame.value)}/${count(frame.total)} ${frame.unit} | ${rateText} | ` +
    (ratio >= 1 ? `done in ${formatDuration(frame.elapsedMs / 1000)}` : `ETA ${eta === undefined ? '-' : formatDuration(eta)}`);
};

/** Whether to draw progress: as `--progress` / `--no-progress` say, else only on a terminal, not in CI, not with `--json`. */
export const progressWanted = (options: { readonly flag: boolean | undefined; readonly json: boolean; readonly isTTY: boolean; readonly ci: boolean }): boolean =>
  options.flag ?? (options.isTTY && !options.json && !options.ci);
