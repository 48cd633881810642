import { inspect, isDeepStrictEqual } from 'node:util';

/** A value as failure messages show it: whole, on one line, keys sorted. */
export const showValue = (value: unknown): string => inspect(value, { depth: null, sorted: true, breakLength: Number.POSITIVE_INFINITY });

/** At most this many differences are listed; the rest are counted. */
const MAX_LISTED = 20;

const IDENTIFIER = /^[A-Za-z_$][\w$]*$/;
const member = (path: string, key: string): string => (IDENTIFIER.test(key) ? `${path}.${key}` : `${path}[${JSON.stringify(key)}]`);

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value) &&
  (Object.getPrototypeOf(value) === Object.prototype || Object.getPrototypeOf(value) === null);

const walk = (expected: unknown, actual: unknown, path: string, out: string[]): void => {
  if (isDeepStrictEqual(expected, actual)) return;
  const before = out.length;
  walkMembers(expected, actual, path, out);
  // Equal member by member, yet unequal: a prototype, a hole or a non-index property differs.
  if (out.length === before) out.push(`${path}: expected ${showValue(expected)}, got ${showValue(actual)}`);
};

const walkMembers = (expected: unknown, actual: unknown, path: string, out: string[]): void => {
  if (Array.isArray(expected) && Array.isArray(actual)) {
    if (expected.length !== actual.length) out.push(`${path}: expected ${expected.length} items, got ${actual.length}`);
    for (let index = 0; index < Math.max(expected.length, actual.length); index++) {
      const at = `${path}[${index}]`;
      if (index >= actual.length) out.push(`${at}: missing, expected ${showValue(expected[index])}`);
      else if (index >= expected.length) out.push(`${at}: not expected, got ${showValue(actual[index])}`);
      else walk(expected[index], actual[index], at, out);
    }
    return;
  }
  if (isRecord(expected) && isRecord(actual)) {
    const keys = [...new Set([...Object.keys(expected), ...Object.keys(actual)])].sort();
    for (const key of keys) {
      const at = member(path, key);
      if (!Object.hasOwn(actual, key)) out.push(`${at}: missing, expected ${showValue(expected[key])}`);
      else if (!Object.hasOwn(expected, key)) out.push(`${at}: not expected, got ${showValue(actual[key])}`);
      else walk(expected[key], actual[key], at, out);
    }
  }
};

/**
 * Where `actual` differs from `expected`, one line per differing member, from the root `$`:
 * `$.sessions[1].ballotClosed: expected true, got false`. Empty when they are equal as `isDeepStrictEqual` has it
 * (key order does not matter; types, `undefined` members and array lengths do).
 */
export const documentDifferences = (expected: unknown, actual: unknown): string[] => {
  const out: string[] = [];
  walk(expected, actual, '$', out);
  if (out.length <= MAX_LISTED) return out;
  return [...out.slice(0, MAX_LISTED), `… and ${out.length - MAX_LISTED} more differences`];
};
