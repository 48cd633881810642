/**
 * Arbitrary values for properties about what JSON keeps: exact JSON, and every kind of value JSON silently changes or
 * cannot write (non-finite numbers, -0, undefined, functions, symbols, bigints, Dates, Maps, Sets, class instances,
 * objects with toJSON, sparse arrays, lone surrogates in strings and keys, cycles), nested anywhere. `holdsExactly` is
 * the oracle, written from JSON's behaviour rather than from the library's validator.
 */
import fc from 'fast-check';

/** Lone UTF-16 surrogates, high and low, at both ends of their ranges. */
export const LONE_SURROGATES = ['\uD800', '\uDBFF', '\uDC00', '\uDFFF'] as const;

// Mostly whole code points; now and then a lone surrogate, which next to another may also pair into a whole one.
const unit = fc.oneof(
  { weight: 40, arbitrary: fc.string({ unit: 'binary', minLength: 1, maxLength: 1 }) },
  { weight: 1, arbitrary: fc.constantFrom(...LONE_SURROGATES) },
);

/** Strings of any code points, sometimes with lone surrogates. */
export const anyText = fc.string({ unit, maxLength: 8 });

/** A class whose instances JSON reads back as plain objects. */
export class Ticket {
  constructor(readonly seat: number) {}
}

/** Every value kind JSON changes, as a leaf, each kind equally likely. */
export const hostileLeaf: fc.Arbitrary<unknown> = fc.oneof(
  fc.constant(undefined),
  fc.constant(Number.NaN),
  fc.constantFrom(Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY),
  fc.constant(-0),
  fc.bigInt({ min: -(2n ** 70n), max: 2n ** 70n }),
  fc.constant(() => 'code'),
  fc.constant(Symbol('s')),
  fc.date({ noInvalidDate: true }),
  fc.constant(new Map([['k', 1]])),
  fc.constant(new Set([1])),
  fc.integer().map((seat) => new Ticket(seat)),
  fc.constant({ toJSON: () => 'replaced' }),
  // Holes: index 1 is missing.
  fc.constant([1, , 3]), // eslint-disable-line no-sparse-arrays
  fc.constantFrom(...LONE_SURROGATES).map((lone) => `a${lone}b`),
  fc.constant({ [Symbol('key')]: 1 }),
);

const exactLeaf: fc.Arbitrary<unknown> = fc.oneof(
  fc.boolean(),
  fc.constant(null),
  fc.integer(),
  fc.double({ noNaN: true, noDefaultInfinity: true }).filter((n) => !Object.is(n, -0)),
  fc.constantFrom(0, Number.MAX_VALUE, Number.MIN_VALUE, Number.MAX_SAFE_INTEGER, -Number.MAX_SAFE_INTEGER, 1e21, 5e-324),
  fc.string({ unit: 'binary', maxLength: 8 }),
);

/** Keys: text, rarely with a lone surrogate, sometimes names that are special to JavaScript objects. */
const key = fc.oneof(
  { weight: 30, arbitrary: fc.string({ unit: 'binary', maxLength: 8 }) },
  { weight: 1, arbitrary: anyText },
  { weight: 1, arbitrary: fc.constantFrom('__proto__', 'constructor', 'toString', 'valueOf', '0', '', 'a.b', 'with space') },
);

/** Nested values whose leaves are exact or, with `hostileWeight` > 0, sometimes hostile. */
const nested = (hostileWeight: number): fc.Arbitrary<unknown> =>
  fc.letrec<{ value: unknown; object: Record<string, unknown>; array: unknown[] }>((tie) => ({
    value: fc.oneof(
      { depthSize: 'small', withCrossShrink: true },
      { weight: 8, arbitrary: exactLeaf },
      ...(hostileWeight > 0 ? [{ weight: hostileWeight, arbitrary: hostileLeaf }] : []),
      { weight: 2, arbitrary: tie('object') },
      { weight: 2, arbitrary: tie('array') },
    ),
    object: fc.oneof(
      fc.dictionary(key, tie('value'), { maxKeys: 4 }),
      // A null prototype is a plain dictionary to JSON, read back with Object.prototype.
      fc.dictionary(key, tie('value'), { maxKeys: 3 }).map((entries) => Object.assign(Object.create(null) as Record<string, unknown>, entries)),
    ),
    array: fc.array(tie('value'), { maxLength: 4 }),
  })).value;

/** Values that may hold anything JSON changes, and sometimes a cycle. */
export const anyValue: fc.Arbitrary<unknown> = fc.tuple(nested(3), fc.nat({ max: 9 })).map(([value, dice]) => {
  if (dice !== 0) return value;
  // A cycle in one of ten values, below the root: a new object that holds itself beside the value (generated values
  // are not changed, since fast-check hands out some of them, such as constants, more than once).
  const loop: Record<string, unknown> = { value };
  loop.self = loop;
  return { around: [loop] };
});

/** Values JSON holds exactly, apart from lone surrogates in strings and keys (which `holdsExactly` also refuses). */
export const jsonLikeValue: fc.Arbitrary<unknown> = nested(0);

interface WellFormed {
  isWellFormed(): boolean;
}
const wellFormed = (text: string): boolean => (text as unknown as WellFormed).isWellFormed();

/**
 * True when `back` is `original` as JSON keeps it: the same primitives (`Object.is`, so -0 is not 0), arrays of the same
 * length without holes, and plain objects (or null-prototype ones) with the same own keys, none of them symbols or
 * non-enumerable. Anything else in `original` (a Date, a Map, a class instance) is never the same as what comes back.
 */
export const sameAsJson = (original: unknown, back: unknown): boolean => {
  if (typeof original !== 'object' || original === null) return Object.is(original, back);
  if (typeof back !== 'object' || back === null) return false;
  const prototype: unknown = Object.getPrototypeOf(original);
  if (Array.isArray(original)) {
    if (prototype !== Array.prototype || !Array.isArray(back) || back.length !== original.length) return false;
    for (let index = 0; index < original.length; index++) {
      if (!(index in original) || !sameAsJson(original[index], back[index])) return false;
    }
    return true;
  }
  if ((prototype !== Object.prototype && prototype !== null) || Array.isArray(back)) return false;
  const keys = Reflect.ownKeys(original);
  if (keys.length !== Reflect.ownKeys(back).length) return false;
  return keys.every((key) => typeof key === 'string' && Object.prototype.propertyIsEnumerable.call(original, key) &&
    Object.hasOwn(back, key) && sameAsJson((original as Record<string, unknown>)[key], (back as Record<string, unknown>)[key]));
};

const allTextWellFormed = (value: unknown, seen = new Set<object>()): boolean => {
  if (typeof value === 'string') return wellFormed(value);
  if (typeof value !== 'object' || value === null || seen.has(value)) return true;
  seen.add(value);
  return Object.keys(value).every((key) => wellFormed(key) && allTextWellFormed((value as Record<string, unknown>)[key], seen));
};

/**
 * The oracle: true when JSON writes `value` and reads back the same (`sameAsJson`), and all its text is well-formed
 * UTF-16 (a lone surrogate is not text in UTF-8, so jsonb, read models and other JSON tools refuse or replace it).
 */
export const holdsExactly = (value: unknown): boolean => {
  let text: string | undefined;
  try {
    text = JSON.stringify(value);
  } catch {
    return false;
  }
  return text !== undefined && allTextWellFormed(value) && sameAsJson(value, JSON.parse(text));
};
