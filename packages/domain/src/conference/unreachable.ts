/**
 * The `default` of an exhaustive `switch` over a tagged union. The compiler proves it unreachable (`value` is `never`,
 * so a forgotten case is a type error); at run time a value with a tag this code does not know (an event type from a
 * newer producer, a forged error) throws a `TypeError` naming the tag, rather than leaving the switch as `undefined`.
 */
export const unreachable = (
  value: never,
  tagField: 'type' | 'code',
  what: string,
  fix = 'upgrade @clusterconf/domain, or keep such values away from this code',
): never => {
  const tag: unknown = typeof value === 'object' && value !== null ? (value as Record<string, unknown>)[tagField] : value;
  const named = typeof tag === 'string' ? `"${tag}"` : `(a ${tag === null ? 'null' : typeof tag} ${tagField})`;
  throw new TypeError(`Unknown ${what} ${named}: this version of @clusterconf/domain does not handle it; ${fix}`);
};

/** What to do about an unknown event type met by `evolve`. */
export const UNKNOWN_EVENT_FIX = "fold only events decoded with their stream's registry, which refuses unknown types, or upgrade @clusterconf/domain";
