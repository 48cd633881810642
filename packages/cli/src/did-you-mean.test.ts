import { describe, expect, it } from 'vitest';
import { closestMatch, editDistance } from './did-you-mean.js';

describe('editDistance', () => {
  it.each([
    ['', '', 0], ['', 'abc', 3], ['abc', '', 3], ['kitten', 'sitting', 3], ['flaw', 'lawn', 2], ['agenda', 'agenda', 0], ['ab', 'ba', 2],
  ])('from %j to %j is %i', (a, b, distance) => {
    expect(editDistance(a, b)).toBe(distance);
    expect(editDistance(b, a)).toBe(distance);
  });
});

describe('closestMatch', () => {
  const names = ['attendance', 'agenda', 'ballot_tallies', 'award_roll', 'alliance_roster'];

  it('finds the name a typo was meant to be', () => {
    expect(closestMatch('atendance', names)).toBe('attendance');
    expect(closestMatch('ballot_talies', names)).toBe('ballot_tallies');
    expect(closestMatch('AGENDA', names)).toBe('agenda');
    expect(closestMatch('awards_roll', names)).toBe('award_roll');
  });

  it('suggests nothing for a word unlike every name', () => {
    expect(closestMatch('speakers', names)).toBeUndefined();
    expect(closestMatch('x', names)).toBeUndefined();
    expect(closestMatch('anything', [])).toBeUndefined();
  });

  it('prefers the nearer of two candidates, and the earlier of two equally near', () => {
    expect(closestMatch('orders_v', ['order_lines', 'orders'])).toBe('orders');
    expect(closestMatch('cat', ['car', 'cap'])).toBe('car');
  });
});
