import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { anyValue, holdsExactly, jsonLikeValue, Ticket } from '@clusterconf/adapters/testing';
import { exactJsonProblem, formatJsonPath, MAX_JSON_DEPTH } from './exact-json.js';

/** The value at `attendees[3].joinedAt` of an otherwise exact payload. */
const at = (leaf: unknown) => ({ conference: 'ecc2020', attendees: [{}, {}, {}, { name: 'Uwe Pfeil', joinedAt: leaf }] });
const PATH = 'data.attendees[3].joinedAt';

describe('exactJsonProblem', () => {
  it.each<[string, unknown, RegExp]>([
    ['NaN', Number.NaN, /is NaN, which JSON writes as null; use null/],
    ['Infinity', Number.POSITIVE_INFINITY, /is Infinity, which JSON writes as null/],
    ['-Infinity', Number.NEGATIVE_INFINITY, /is -Infinity, which JSON writes as null/],
    ['-0', -0, /is -0, which JSON writes as 0; use 0/],
    ['undefined', undefined, /is undefined, which JSON drops; leave the property out, or use null/],
    ['a function', () => 1, /is a function, which JSON drops/],
    ['a symbol', Symbol('s'), /is a symbol, which JSON drops; use a string/],
    ['a bigint', 12n, /is the bigint 12n, which JSON cannot hold; use a string \("12"\)/],
    ['a Date', new Date('2020-11-10T09:00:00Z'), /is a Date, which JSON turns into a string; store date.toISOString\(\) instead/],
    ['a Map', new Map([['a', 1]]), /is a Map, which JSON writes as \{\}; use a plain object/],
    ['a Set', new Set([1]), /is a Set, which JSON writes as \{\}; use an array/],
    ['a class instance', new Ticket(3), /is an instance of Ticket, not a plain object/],
    ['an object with an inherited toJSON', new (class Money { toJSON() { return '1 EUR'; } })(), /is a Money with a toJSON method/],
    ['a boxed string', Object('x'), /is an instance of String/],
    ['a lone high surrogate', 'x\uD800', /is a string with a lone UTF-16 surrogate \(U\+D800 at index 1\)/],
    ['a lone low surrogate', '\uDC00y', /lone UTF-16 surrogate \(U\+DC00 at index 0\)/],
  ])('refuses %s, naming its path and what to use instead', (_kind, leaf, reason) => {
    const problem = exactJsonProblem(at(leaf), 'data');
    expect(problem).toMatch(new RegExp(`^${PATH.replace(/[.[\]]/g, '\\$&')} `));
    expect(problem).toMatch(reason);
  });

  it('refuses undefined and holes in arrays, naming the index', () => {
    expect(exactJsonProblem({ seats: [1, undefined] }, 'data')).toMatch(/^data\.seats\[1\] is undefined, which JSON writes as null in an array; use null$/);
    // eslint-disable-next-line no-sparse-arrays
    expect(exactJsonProblem({ seats: [1, , 3] }, 'data')).toMatch(/^data\.seats\[1\] is a hole in a sparse array/);
    expect(exactJsonProblem({ seats: new Array(2) }, 'data')).toMatch(/^data\.seats\[0\] is a hole/);
  });

  it('refuses an own toJSON method and a symbol key, which JSON would use or drop', () => {
    expect(exactJsonProblem({ price: { toJSON: () => 1 } }, 'data')).toMatch(/^data\.price\.toJSON is a toJSON method, which JSON calls to replace its object/);
    expect(exactJsonProblem({ price: { [Symbol('currency')]: 'EUR' } }, 'data')).toMatch(/^data\.price has the symbol key Symbol\(currency\), which JSON drops/);
  });

  it('refuses a key with a lone surrogate, naming the key as JSON escapes it', () => {
    expect(exactJsonProblem({ names: { 'x\uDBFF': 1 } }, 'metadata')).toBe(
      'metadata.names["x\\udbff"] has a key with a lone UTF-16 surrogate (U+DBFF at index 1), which UTF-8 cannot hold, so stores ' +
        'would change or refuse it; remove it, or replace it with U+FFFD',
    );
  });

  it('refuses a cycle where it closes, naming what it refers back to', () => {
    const ballot: Record<string, unknown> = { id: 'b' };
    ballot.votes = [{ ballot }];
    expect(exactJsonProblem({ ballot }, 'data')).toBe('data.ballot.votes[0].ballot refers back to data.ballot, a cycle JSON cannot write; store an id that refers to it instead');
    const root: unknown[] = [];
    root.push(root);
    expect(exactJsonProblem(root, 'data')).toMatch(/^data\[0\] refers back to data,/);
  });

  it('accepts shared references that are not cycles, null prototypes, and every JSON scalar', () => {
    const shared = { name: 'go-cluster' };
    expect(exactJsonProblem({ a: shared, b: [shared, shared] }, 'data')).toBeUndefined();
    expect(exactJsonProblem(Object.assign(Object.create(null) as object, { a: 1 }), 'data')).toBeUndefined();
    for (const value of [null, true, 0, 1.5, -3, Number.MAX_VALUE, 5e-324, '', 'Žilina ✓ 😀', [], {}, { '': 1, __proto__x: 2 }]) {
      expect(exactJsonProblem(value, 'data')).toBeUndefined();
    }
  });

  it('names the first offending value in key order', () => {
    expect(exactJsonProblem({ a: 1, b: { c: Number.NaN }, d: undefined }, 'data')).toMatch(/^data\.b\.c is NaN/);
  });

  it(`refuses nesting deeper than ${MAX_JSON_DEPTH} levels and accepts it up to there`, () => {
    const nest = (levels: number): unknown => {
      let value: unknown = 1;
      for (let i = 0; i < levels; i++) value = [value];
      return value;
    };
    expect(exactJsonProblem(nest(MAX_JSON_DEPTH), 'data')).toBeUndefined();
    expect(exactJsonProblem(nest(MAX_JSON_DEPTH + 1), 'data')).toMatch(/nests deeper than 512 levels/);
  });

  it('holds exactly when JSON writes the value and reads back the same, well-formed text included', () => {
    fc.assert(
      fc.property(fc.oneof(anyValue, jsonLikeValue), (value) => {
        expect(exactJsonProblem(value, 'data') === undefined).toBe(holdsExactly(value));
      }),
      { numRuns: 2000 },
    );
  });
});

describe('formatJsonPath', () => {
  it('writes identifiers as members and anything else as quoted keys or indexes', () => {
    expect(formatJsonPath('data', ['attendees', 3, 'joined at', '$ok', '1st'])).toBe('data.attendees[3]["joined at"].$ok["1st"]');
  });
});
