import { describe, expect, it } from 'vitest';
import { extrapolatedCount } from './estimated-count.js';

describe('extrapolatedCount', () => {
  it('extends the density of the counted part over the rest of the span', () => {
    // 10,000 events over 20,000 sequence numbers (every other one a rolled-back hole): 5,000 more in the next 10,000.
    expect(extrapolatedCount(10_000, 20_000n, 10_000n)).toBe(15_000);
    // 10,000 events over 1,000,000 bytes: 100 bytes each, so 2,500,000 more bytes hold 25,000 more.
    expect(extrapolatedCount(10_000, 1_000_000n, 2_500_000n)).toBe(35_000);
  });

  it('adds at least the one event the count stopped before, also when the spans say nothing', () => {
    expect(extrapolatedCount(10_000, 1_000_000n, 1n)).toBe(10_001);
    expect(extrapolatedCount(10_000, 0n, 500n)).toBe(10_001);
    expect(extrapolatedCount(10_000, 500n, -3n)).toBe(10_001);
  });
});
