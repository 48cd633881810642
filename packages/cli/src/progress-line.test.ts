import { describe, expect, it } from 'vitest';
import { etaSeconds, formatDuration, progressLine, progressWanted, ratePerSecond, type ProgressFrame } from './progress-line.js';

const frame = (over: Partial<ProgressFrame> = {}): ProgressFrame => ({
  label: 'import', phase: 'writing', value: 500, total: 2000, elapsedMs: 2000, first: { value: 0, atMs: 0 }, unit: 'events', barWidth: 8, ...over,
});

describe('progress lines', () => {
  it('show phase, bar, percentage, count, rate and ETA', () => {
    expect(progressLine(frame())).toBe('import writing     [██░░░░░░]  25% | 500/2,000 events | 250 events/s | ETA 6.0 s');
  });

  it('count the rate from the first value reported, so a resumed replay is not credited with its checkpoint', () => {
    const resumed = frame({ value: 1500, first: { value: 1000, atMs: 1000 }, elapsedMs: 2000 });
    expect(ratePerSecond(resumed)).toBe(500);
    expect(etaSeconds(resumed)).toBe(1);
  });

  it('say "done in" once the total is reached', () => {
    expect(progressLine(frame({ value: 2000, elapsedMs: 4000 }))).toBe('import writing     [████████] 100% | 2,000/2,000 events | 500 events/s | done in 4.0 s');
  });

  it('show count, rate and elapsed time without a known total', () => {
    expect(progressLine(frame({ total: 0, value: 1234, elapsedMs: 61_000 }))).toBe('import writing     1,234 events | 20 events/s | 1 min 01 s elapsed');
  });

  it('show the overall rate of a phase too short to sample once it is done', () => {
    expect(progressLine(frame({ value: 2000, elapsedMs: 40, first: { value: 2000, atMs: 40 } }))).toContain('| 50,000 events/s | done in 0.0 s');
  });

  it('show no rate or ETA before there is anything to measure', () => {
    expect(progressLine(frame({ value: 0, elapsedMs: 50 }))).toBe('import writing     [░░░░░░░░]   0% | 0/2,000 events | - events/s | ETA -');
    expect(ratePerSecond(frame({ value: 10, elapsedMs: 50 }))).toBeUndefined();
  });

  it.each([[0, '0.0 s'], [0.37, '0.4 s'], [9.94, '9.9 s'], [9.96, '10 s'], [59.4, '59 s'], [60, '1 min 00 s'], [3599, '59 min 59 s'], [3600, '1 h 00 min'], [7500, '2 h 05 min']])('format %d seconds as %j', (s, text) => {
    expect(formatDuration(s)).toBe(text);
  });
});

describe('progressWanted', () => {
  it('draws on a terminal, not in CI, not with --json, unless --progress or --no-progress says otherwise', () => {
    expect(progressWanted({ flag: undefined, json: false, isTTY: true, ci: false })).toBe(true);
    expect(progressWanted({ flag: undefined, json: false, isTTY: false, ci: false })).toBe(false);
    expect(progressWanted({ flag: undefined, json: false, isTTY: true, ci: true })).toBe(false);
    expect(progressWanted({ flag: undefined, json: true, isTTY: true, ci: false })).toBe(false);
    expect(progressWanted({ flag: true, json: true, isTTY: false, ci: true })).toBe(true);
    expect(progressWanted({ flag: false, json: false, isTTY: true, ci: false })).toBe(false);
  });
});
