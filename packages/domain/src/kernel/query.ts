/**
 * Queries across streams, as the Dynamic Consistency Boundary specification (dcb.events) defines them: a query is a
 * list of items OR-ed together; an event matches an item when its type is one of the item's types (any type when
 * the item names none) and it carries every one of the item's tags (any tags when it names none). An item that names
 * neither matches every event, which is how a query for the whole log is written (`ALL_EVENTS`).
 */
import type { AppendCondition, QueryReadOptions } from './dcb-event-store.js';
import { InvalidQueryError } from './errors.js';
import { eventTypeProblem, tagProblem } from './event-contract.js';
import type { Position } from './position.js';

/** One alternative of a query: events of one of `types` (left out: any type) carrying all of `tags` (left out: any). */
export interface QueryItem {
  /** Left out for any type; when given, at least one. */
  readonly types?: readonly string[];
  /**
   * Left out for any tags; when given, at least one, all of which a matching event carries. The first tag is the
   * item's handle: stores look the item's events up by it, and PostgreSQL locks on it (see `DcbEventStore`), so put
   * the most selective tag first (`attendee:…` before `ballot:…`).
   */
  readonly tags?: readonly string[];
}

/** Events matching any of `items`; at least one item. */
export interface Query {
  readonly items: readonly QueryItem[];
}

/** The query every event matches: one item that names neither types nor tags. */
export const ALL_EVENTS: Query = Object.freeze({ items: Object.freeze([Object.freeze({})]) });

/** True when an event of `type` with `tags` matches `item`. */
export const matchesQueryItem = (item: QueryItem, type: string, tags: readonly string[]): boolean =>
  (item.types === undefined || item.types.includes(type)) && (item.tags === undefined || item.tags.every((tag) => tags.includes(tag)));

/** True when an event of `type` with `tags` matches `query`: any of its items. */
export const matchesQuery = (query: Query, type: string, tags: readonly string[]): boolean =>
  query.items.some((item) => matchesQueryItem(item, type, tags));

/** A query as messages show it: `VoteCast with attendee:a and ballot:b, or BallotClosed/SessionOpened with ballot:b`. */
export const describeQuery = (query: Query): string =>
  query.items
    .map((item) => {
      const types = item.types === undefined ? 'any event' : item.types.join('/');
      return item.tags === undefined ? types : `${types} with ${item.tags.join(' and ')}`;
    })
    .join(', or ');

const listProblem = (list: unknown, name: string, problemOf: (value: unknown) => string | undefined): string | undefined => {
  if (list === undefined) return undefined;
  if (!Array.isArray(list)) return `${name} is ${list === null ? 'null' : `a ${typeof list}`}, not an array; leave it out to match any`;
  if (list.length === 0) return `${name} is empty, which would match nothing; leave it out to match any, or name at least one`;
  for (let index = 0; index < list.length; index++) {
    const problem = problemOf(list[index]);
    if (problem !== undefined) return `${name}[${index}] ${JSON.stringify(list[index])} is refused: ${problem}`;
  }
  return undefined;
};

/**
 * Checks a query before a store reads or locks anything, and returns a frozen copy of it: at least one item; each
 * item an object whose `types` and `tags`, where given, are non-empty lists of valid types (`eventTypeProblem`) and
 * tags (`tagProblem`). Anything else is `InvalidQueryError`, saying `where` the query came from. Empty lists are
 * refused rather than read as "any" or "none": either reading would silently change what a condition guards.
 */
export const assertValidQuery = (query: unknown, where: string): Query => {
  const fail = (reason: string): never => {
    throw new InvalidQueryError(where, reason);
  };
  if (typeof query !== 'object' || query === null) {
    return fail(`it is ${query === null ? 'null' : query === undefined ? 'missing' : `a ${typeof query}`}, not { items: [...] }`);
  }
  const items: unknown = (query as { items?: unknown }).items;
  if (!Array.isArray(items)) return fail('its items are not an array; give { items: [{ types, tags }] }, or ALL_EVENTS for every event');
  if (items.length === 0) return fail('it has no items, so it would match nothing; give at least one item, or ALL_EVENTS for every event');
  const checked = items.map((item: unknown, index): QueryItem => {
    if (typeof item !== 'object' || item === null || Array.isArray(item)) return fail(`items[${index}] is not an object { types?, tags? }`);
    const { types, tags } = item as { types?: unknown; tags?: unknown };
    const problem = listProblem(types, `items[${index}].types`, eventTypeProblem) ?? listProblem(tags, `items[${index}].tags`, tagProblem);
    if (problem !== undefined) fail(problem);
    const copy: { types?: readonly string[]; tags?: readonly string[] } = {};
    if (types !== undefined) copy.types = Object.freeze([...(types as string[])]);
    if (tags !== undefined) copy.tags = Object.freeze([...(tags as string[])]);
    return Object.freeze(copy);
  });
  return Object.freeze({ items: Object.freeze(checked) });
};

/** Why `value` is not a log position (`{ commit, prepare }`, two bigints >= 0), or `undefined`. */
const positionProblem = (value: unknown): string | undefined => {
  if (typeof value !== 'object' || value === null) return `it is ${value === null ? 'null' : `a ${typeof value}`}, not a position { commit, prepare }`;
  const { commit, prepare } = value as Partial<Position>;
  if (typeof commit !== 'bigint' || typeof prepare !== 'bigint' || commit < 0n || prepare < 0n) {
    return 'it is not a position { commit, prepare } of two bigints >= 0; pass the position of an event read from this store';
  }
  return undefined;
};

/**
 * Checks an append condition before a store touches anything and returns a frozen copy: a valid query
 * (`assertValidQuery`) and, where given, a position as `after`. Anything else is `InvalidQueryError`.
 */
export const assertAppendCondition = (streamId: string, condition: unknown): AppendCondition => {
  const where = `the append condition for stream "${streamId}"`;
  if (typeof condition !== 'object' || condition === null) {
    throw new InvalidQueryError(where, `the condition is ${condition === null ? 'null' : `a ${typeof condition}`}, not { failIfEventsMatch, after? }; leave it out to append unconditionally`);
  }
  const { failIfEventsMatch, after } = condition as { failIfEventsMatch?: unknown; after?: unknown };
  const query = assertValidQuery(failIfEventsMatch, where);
  if (after === undefined) return Object.freeze({ failIfEventsMatch: query });
  const problem = positionProblem(after);
  if (problem !== undefined) throw new InvalidQueryError(where, `its after ${problem}`);
  const { commit, prepare } = after as Position;
  return Object.freeze({ failIfEventsMatch: query, after: Object.freeze({ commit, prepare }) });
};

/** A read of `DcbEventStore.read`, checked: the query, where it starts, and how many events it returns at most. */
export interface PreparedQueryRead {
  readonly query: Query;
  readonly after: Position | undefined;
  readonly limit: number;
}

/**
 * Checks a query read before a store reads anything: the query (`assertValidQuery`) and `after` (a position) are
 * `InvalidQueryError`s; a `limit` that is not a whole number >= 1 is a `RangeError`, as the stores' other counts are.
 */
export const prepareQueryRead = (query: unknown, options: QueryReadOptions | undefined): PreparedQueryRead => {
  const checked = assertValidQuery(query, 'read');
  const after = (options as QueryReadOptions | null | undefined)?.after;
  if (after !== undefined) {
    const problem = positionProblem(after);
    if (problem !== undefined) throw new InvalidQueryError('read', `its after ${problem}`);
  }
  const limit = options?.limit ?? Number.POSITIVE_INFINITY;
  if (limit !== Number.POSITIVE_INFINITY && (!Number.isInteger(limit) || limit < 1)) {
    throw new RangeError(`QueryReadOptions.limit is ${String(limit)}; give a whole number >= 1, or leave it out for all`);
  }
  return { query: checked, after, limit };
};
