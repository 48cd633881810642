import type { EventFilter } from '@clusterconf/domain';

/**
 * Which of an `EventFilter`'s conditions are set. Each shape has its own statement text (and name), so a prepared
 * statement keeps one plan: a single text with optional conditions (`$4 is null or …`) would leave the planner a
 * generic plan that cannot drop the conditions a reader does not use. `or-not-in` is `orTypesNotIn` beside `types`.
 */
export type LogFilterShape = 'types' | 'types-or-not-in' | 'prefixes' | 'types-prefixes' | 'types-or-not-in-prefixes';

export const LOG_FILTER_SHAPES: readonly LogFilterShape[] = ['types', 'types-or-not-in', 'prefixes', 'types-prefixes', 'types-or-not-in-prefixes'];

/** A filter as the log reads send it: its shape, and the arrays its parameters take, in parameter order. */
export interface LogFilter {
  readonly shape: LogFilterShape;
  readonly values: readonly (readonly string[])[];
}

/**
 * The SQL form of `filter`, or `undefined` when it lets every event through (no filter, or neither list given), so
 * the unfiltered statements serve it. Empty lists stay: they match nothing, as `matchesFilter` says (and an empty
 * `orTypesNotIn` everything). `orTypesNotIn` without `eventTypes` adds nothing: every type matches already.
 */
export const logFilter = (filter: EventFilter | undefined): LogFilter | undefined => {
  const types = filter?.eventTypes;
  const notIn = filter?.orTypesNotIn;
  const prefixes = filter?.streamPrefixes;
  if (types === undefined) return prefixes === undefined ? undefined : { shape: 'prefixes', values: [prefixes] };
  if (notIn === undefined) {
    return prefixes === undefined ? { shape: 'types', values: [types] } : { shape: 'types-prefixes', values: [types, prefixes] };
  }
  return prefixes === undefined
    ? { shape: 'types-or-not-in', values: [types, notIn] }
    : { shape: 'types-or-not-in-prefixes', values: [types, notIn, prefixes] };
};

/**
 * The condition of `shape` over the events table, its arrays in parameters from `$first` on; `matchesFilter` in SQL.
 * Types compare exactly; `<> all` of an empty array is true, as nothing is in an empty list. A prefix is literal
 * text: `^@` is `starts_with` (PostgreSQL 11+), which knows no wildcards, so `%`, `_` and `\` in a prefix match only
 * themselves, as with LIKE they would not.
 */
export const logFilterCondition = (shape: LogFilterShape, first: number): string => {
  const types = (n: number) => `events.type = any($${n}::text[])`;
  const typesOrNotIn = (n: number) => `(events.type = any($${n}::text[]) or events.type <> all($${n + 1}::text[]))`;
  const prefixes = (n: number) => `events.stream_id ^@ any($${n}::text[])`;
  switch (shape) {
    case 'types':
      return types(first);
    case 'types-or-not-in':
      return typesOrNotIn(first);
    case 'prefixes':
      return prefixes(first);
    case 'types-prefixes':
      return `${types(first)} and ${prefixes(first + 1)}`;
    case 'types-or-not-in-prefixes':
      return `${typesOrNotIn(first)} and ${prefixes(first + 2)}`;
  }
};
