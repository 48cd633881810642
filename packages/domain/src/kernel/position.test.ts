import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { comparePositions, formatPosition, isAfter, parsePosition, sequencePosition } from './position.js';

const position = fc.record({ commit: fc.bigInt({ min: 0n, max: 2n ** 63n }), prepare: fc.bigInt({ min: 0n, max: 2n ** 63n }) });

describe('positions', () => {
  it('round-trip through their text form', () => {
    fc.assert(
      fc.property(position, (p) => {
        expect(parsePosition(formatPosition(p))).toEqual(p);
      }),
    );
  });

  it('order lexicographically on commit, then prepare', () => {
    expect(comparePositions({ commit: 1n, prepare: 9n }, { commit: 2n, prepare: 0n })).toBeLessThan(0);
    expect(comparePositions({ commit: 2n, prepare: 1n }, { commit: 2n, prepare: 0n })).toBeGreaterThan(0);
    expect(comparePositions(sequencePosition(5n), sequencePosition(5n))).toBe(0);
    fc.assert(fc.property(position, position, (a, b) => Math.sign(comparePositions(a, b)) === -Math.sign(comparePositions(b, a))));
  });

  it('treat undefined as the start of the log', () => {
    expect(isAfter(sequencePosition(0n), undefined)).toBe(true);
    expect(isAfter(sequencePosition(1n), sequencePosition(1n))).toBe(false);
  });

  it('refuse text that is not a position, naming it', () => {
    expect(() => parsePosition('12a')).toThrow(/"12a" is not a log position/);
    expect(() => parsePosition('-1')).toThrow(RangeError);
  });
});
