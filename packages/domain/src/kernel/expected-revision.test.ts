import { describe, expect, it } from 'vitest';
import { satisfiesExpectedRevision } from './expected-revision.js';

describe('satisfiesExpectedRevision', () => {
  it.each([
    ['any', undefined, true],
    ['any', 3n, true],
    ['no_stream', undefined, true],
    ['no_stream', 0n, false],
    ['stream_exists', undefined, false],
    ['stream_exists', 0n, true],
    [2n, 2n, true],
    [2n, 3n, false],
    [0n, undefined, false],
  ] as const)('expected %s at current %s → %s', (expected, current, holds) => {
    expect(satisfiesExpectedRevision(expected, current)).toBe(holds);
  });
});
