/**
 * Values JSON holds exactly: what `JSON.parse(JSON.stringify(value))` gives back deep-equal, so that an event reads
 * back as it was appended on every store. JSON silently changes everything else: NaN and ±Infinity become null, -0
 * becomes 0, `undefined` and functions vanish (or become null in arrays), holes become null, a Date becomes a string,
 * a Map or Set becomes `{}`, a class instance loses its prototype, `toJSON` replaces its object, and a string with a
 * lone UTF-16 surrogate cannot be written as UTF-8 at all (stores replace or refuse it). Bigints and cycles make
 * `JSON.stringify` throw.
 */

/** The deepest nesting of arrays and objects accepted; deeper values are refused rather than risk the call stack. */
export const MAX_JSON_DEPTH = 512;

/** Why a value is not exact JSON: the path segments from the value down (innermost first while unwinding). */
class Refusal {
  readonly segments: (string | number)[] = [];
  constructor(
    readonly reason: string,
    /** For a cycle: how many segments lead from the root to the object it refers back to. */
    readonly cycleDepth?: number,
  ) {}
}

interface WellFormed {
  isWellFormed(): boolean;
}

// String.prototype.isWellFormed (ES2024, Node 20+) is native and allocates nothing; the lib is ES2023, hence the cast.
const wellFormed = (text: string): boolean => (text as unknown as WellFormed).isWellFormed();

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

const loneSurrogate = (text: string): string => {
  const found = LONE_SURROGATE.exec(text)!;
  const unit = found[0].charCodeAt(0).toString(16).toUpperCase();
  return `a lone UTF-16 surrogate (U+${unit} at index ${found.index}), which UTF-8 cannot hold, so stores would change or refuse it; ` +
    'remove it, or replace it with U+FFFD';
};

const IDENTIFIER = /^[A-Za-z_$][\w$]*$/;

/** The path of `segments` under `root`, as JavaScript would write it: `data.attendees[3]["joined at"]`. */
export const formatJsonPath = (root: string, segments: readonly (string | number)[]): string => {
  let path = root;
  for (const segment of segments) {
    path += typeof segment === 'number' ? `[${segment}]` : IDENTIFIER.test(segment) ? `.${segment}` : `[${JSON.stringify(segment)}]`;
  }
  return path;
};

const typeName = (value: object): string => {
  const constructor = (value as { constructor?: { name?: unknown } }).constructor;
  return typeof constructor === 'function' && typeof constructor.name === 'string' && constructor.name !== '' ? constructor.name : 'an unnamed class';
};

/** What JSON would make of an object that is neither a plain object nor a plain array, and what to use instead. */
const foreignObject = (value: object): string => {
  if (value instanceof Date) return 'is a Date, which JSON turns into a string; store date.toISOString() instead';
  if (value instanceof Map) return 'is a Map, which JSON writes as {}; use a plain object, or an array of [key, value] pairs';
  if (value instanceof Set) return 'is a Set, which JSON writes as {}; use an array';
  if (typeof (value as { toJSON?: unknown }).toJSON === 'function') {
    return `is a ${typeName(value)} with a toJSON method, which JSON calls to replace it; store the plain value you mean instead`;
  }
  if (Array.isArray(value)) return `is an array of class ${typeName(value)}, which JSON reads back as a plain array; use a plain array`;
  return `is an instance of ${typeName(value)}, not a plain object, which JSON reads back without its prototype; copy its fields into a plain object`;
};

const refuseScalar = (value: unknown): Refusal => {
  switch (typeof value) {
    case 'undefined':
      return new Refusal('is undefined, which JSON drops; leave the property out, or use null');
    case 'function':
      return new Refusal('is a function, which JSON drops; store data, not code');
    case 'symbol':
      return new Refusal('is a symbol, which JSON drops; use a string');
    case 'bigint':
      return new Refusal(`is the bigint ${String(value)}n, which JSON cannot hold; use a string ("${String(value)}"), or a number if it is a safe integer`);
    case 'number':
      return Number.isNaN(value)
        ? new Refusal('is NaN, which JSON writes as null; use null, or a string')
        : Number.isFinite(value)
          ? new Refusal('is -0, which JSON writes as 0; use 0')
          : new Refusal(`is ${String(value)}, which JSON writes as null; use null, a string, or Number.MAX_VALUE`);
    default:
      return new Refusal(`is ${typeof value}, which JSON cannot hold`);
  }
};

const checkArray = (array: readonly unknown[], ancestors: object[]): void => {
  let index = 0;
  try {
    for (; index < array.length; index++) {
      const item = array[index];
      if (item === undefined) {
        throw new Refusal(index in array
          ? 'is undefined, which JSON writes as null in an array; use null'
          : 'is a hole in a sparse array, which JSON writes as null; fill it, e.g. with null');
      }
      checkValue(item, ancestors);
    }
  } catch (error) {
    if (error instanceof Refusal) error.segments.push(index);
    throw error;
  }
};

const checkObject = (object: Record<string, unknown>, ancestors: object[]): void => {
  let key = '';
  try {
    // for…in over a plain object walks its own enumerable string keys only (its prototype, Object.prototype or null,
    // has no enumerable ones) without allocating a key array.
    for (key in object) {
      if (!wellFormed(key)) throw new Refusal(`has a key with ${loneSurrogate(key)}`);
      const value = object[key];
      if (value === undefined) throw new Refusal('is undefined, which JSON drops; leave the property out, or use null');
      if (typeof value === 'function' && key === 'toJSON') {
        throw new Refusal('is a toJSON method, which JSON calls to replace its object; store the plain value you mean instead');
      }
      checkValue(value, ancestors);
    }
  } catch (error) {
    if (error instanceof Refusal) error.segments.push(key);
    throw error;
  }
  // Symbol keys are rare, and JSON drops them: looked up only after the walk so the common object costs one call.
  const symbols = Object.getOwnPropertySymbols(object);
  if (symbols.length > 0) throw new Refusal(`has the symbol key ${String(symbols[0])}, which JSON drops; use a string key`);
};

const checkValue = (value: unknown, ancestors: object[]): void => {
  switch (typeof value) {
    case 'string':
      if (!wellFormed(value)) throw new Refusal(`is a string with ${loneSurrogate(value)}`);
      return;
    case 'number':
      // -0 is the one finite number JSON changes (it writes 0).
      if (!Number.isFinite(value) || (value === 0 && 1 / value < 0)) throw refuseScalar(value);
      return;
    case 'boolean':
      return;
    case 'object': {
      if (value === null) return;
      if (ancestors.includes(value)) throw new Refusal('', ancestors.indexOf(value));
      if (ancestors.length >= MAX_JSON_DEPTH) throw new Refusal(`nests deeper than ${MAX_JSON_DEPTH} levels of arrays and objects; flatten it`);
      const prototype: unknown = Object.getPrototypeOf(value);
      ancestors.push(value);
      if (prototype === Array.prototype) checkArray(value as unknown[], ancestors);
      else if (prototype === Object.prototype || prototype === null) checkObject(value as Record<string, unknown>, ancestors);
      else throw new Refusal(foreignObject(value));
      ancestors.pop();
      return;
    }
    default:
      throw refuseScalar(value);
  }
};

/**
 * Why `value` would not read back from JSON deep-equal, or `undefined` when it would: the path of the first offending
 * value under `root` (e.g. `data.attendees[3].joinedAt`), what it is, what JSON would make of it, and what to use
 * instead. Plain objects (prototype `Object.prototype` or null), plain arrays without holes, well-formed strings,
 * finite numbers other than -0, booleans and null are exact; shared references are fine, cycles are not. One walk,
 * allocating nothing but the ancestor list while the value is fine.
 */
export const exactJsonProblem = (value: unknown, root: string): string | undefined => {
  const ancestors: object[] = [];
  try {
    checkValue(value, ancestors);
    return undefined;
  } catch (error) {
    if (!(error instanceof Refusal)) throw error;
    const segments = error.segments.reverse();
    const path = formatJsonPath(root, segments);
    if (error.cycleDepth === undefined) return `${path} ${error.reason}`;
    return `${path} refers back to ${formatJsonPath(root, segments.slice(0, error.cycleDepth))}, a cycle JSON cannot write; ` +
      'store an id that refers to it instead';
  }
};
