import fc from 'fast-check';
import * as t from 'io-ts';
import { describe, expect, it } from 'vitest';
import { compileGuard } from './compile-guard.js';

const Positive = t.brand(t.number, (n): n is t.Branded<number, { readonly Positive: symbol }> => n > 0, 'Positive');
const Custom = new t.Type<string, string, unknown>('Custom', (u): u is string => u === 'custom', (u, c) => (u === 'custom' ? t.success(u) : t.failure(u, c)), t.identity);

// One codec per combinator the compiler knows, plus ones it hands back to io-ts (tuple, record, custom, recursive).
const codecs: Record<string, t.Mixed> = {
  string: t.string, number: t.number, boolean: t.boolean, null: t.null, undefined: t.undefined, void: t.void,
  unknown: t.unknown, literal: t.literal('a'), keyof: t.keyof({ a: null, b: null }),
  longKeyof: t.keyof(Object.fromEntries(Array.from({ length: 20 }, (_, i) => [`k${i}`, null])) as Record<string, null>),
  brand: Positive, array: t.array(t.number), readonlyArray: t.readonlyArray(t.string),
  type: t.type({ a: t.string, b: t.unknown, c: t.union([t.number, t.undefined]) }),
  partial: t.partial({ a: t.string, b: Positive }),
  union: t.union([t.string, t.type({ kind: t.literal('x') })]),
  intersection: t.intersection([t.type({ a: t.string }), t.partial({ b: t.number })]),
  exact: t.strict({ a: t.number }), readonly: t.readonly(t.type({ a: t.boolean })),
  tuple: t.tuple([t.string, t.number]), record: t.record(t.string, t.number), custom: Custom,
  nested: t.type({ list: t.array(t.type({ id: Positive, tags: t.array(t.keyof({ x: null })) })), maybe: t.union([t.null, Custom]) }),
  recursive: t.recursion('Tree', () => t.type({ children: t.array(t.unknown) })),
};

// Values that stress io-ts's record test and its missing-versus-undefined rule.
const tricky: unknown[] = [
  {}, { a: undefined }, { a: 'x', b: undefined }, { a: 'x', b: 1, c: undefined }, { a: 'x', b: 1 }, Object.create(null),
  Object.assign(Object.create(null), { a: 'x', b: 0 }), new Date(0), new Map(), [], [1, 'a'], ['a', 1],
  { [Symbol.toStringTag]: 'Thing', a: 'x', b: 1 }, Object.create({ a: 'inherited' }), { kind: 'x' }, { list: [], maybe: null },
  { list: [{ id: 1, tags: ['x'] }], maybe: 'custom' }, { list: [{ id: 0, tags: [] }], maybe: null }, { children: [1] },
  'a', 'b', 'k3', 'k25', 'toString', 'custom', 0, -1, 1, Number.NaN, true, null, undefined,
];

describe('compileGuard', () => {
  for (const [name, codec] of Object.entries(codecs)) {
    it(`agrees with io-ts \`is\` for ${name} on tricky and arbitrary values`, () => {
      const guard = compileGuard(codec);
      for (const value of tricky) expect([value, guard(value)]).toEqual([value, codec.is(value)]);
      fc.assert(fc.property(fc.anything({ withNullPrototype: true, withObjectString: true }), (value) => guard(value) === codec.is(value)));
    });
  }

  it('requires a member to be present even when its codec admits undefined, as io-ts does', () => {
    const guard = compileGuard(t.type({ a: t.unknown }));
    expect(guard({})).toBe(false);
    expect(guard({ a: undefined })).toBe(true);
  });

  it('keeps a keyof guard to own keys, never inherited ones', () => {
    expect(compileGuard(t.keyof({ a: null }))('toString')).toBe(false);
  });

  it('skips a string refinement\'s predicate only for the string it accepted last', () => {
    const seen: string[] = [];
    const Lower = t.brand(t.string, (s): s is t.Branded<string, { readonly Lower: symbol }> => (seen.push(s), s === s.toLowerCase()), 'Lower');
    const guard = compileGuard(t.type({ id: Lower }));
    expect([guard({ id: 'abc' }), guard({ id: 'abc' }), guard({ id: 'ABC' }), guard({ id: 'ABC' }), guard({}), guard({ id: 'abc' })]).toEqual([
      true, true, false, false, false, true,
    ]);
    // Asked once for the accepted string and every time for the refused one, which never replaces the memo.
    expect(seen).toEqual(['abc', 'ABC', 'ABC']);
    expect(guard({ id: 'xyz' })).toBe(true);
    expect(guard({ id: 'abc' })).toBe(true);
    expect(seen).toEqual(['abc', 'ABC', 'ABC', 'xyz', 'abc']);
  });
});
