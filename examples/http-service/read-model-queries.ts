import * as E from 'fp-ts/lib/Either.js';
import * as t from 'io-ts';
import { parsePosition, type Position } from '@clusterconf/domain';
import type { ProblemItem } from './problem-details.js';

/** The query of `GET /read-models/<name>/<id>`: wait for a log position first. */
export const DocumentQuery = t.exact(t.partial({ after: t.string }), 'DocumentQuery');

/** The query of `GET /read-models/<name>`: a position to wait for, and the page. */
export const ListQuery = t.exact(t.partial({ after: t.string, afterId: t.string, limit: t.string }), 'ListQuery');
export type ListQuery = t.TypeOf<typeof ListQuery>;

/** Documents per page of `GET /read-models/<name>` unless `?limit=` says otherwise, and the most it may say. */
export const DEFAULT_LIST_LIMIT = 100;
export const MAX_LIST_LIMIT = 1000;

/** `?after=` wins over the `Consistency-Position` header; both say "wait until the read models have this position". Pure. */
export const consistencyOf = (after: string | undefined, header: string | undefined): E.Either<ProblemItem, Position | undefined> => {
  const text = after ?? header;
  if (text === undefined) return E.right(undefined);
  try {
    return E.right(parsePosition(text));
  } catch (error) {
    const detail = `${(error as Error).message}; send the position a command returned`;
    return E.left(after === undefined ? { header: 'Consistency-Position', detail } : { parameter: 'after', detail });
  }
};

/** The page size `?limit=` asks for. Pure. */
export const limitOf = (text: string | undefined): E.Either<ProblemItem, number> => {
  if (text === undefined) return E.right(DEFAULT_LIST_LIMIT);
  const limit = /^\d{1,7}$/.test(text) ? Number(text) : NaN;
  return limit >= 1 && limit <= MAX_LIST_LIMIT
    ? E.right(limit)
    : E.left({ parameter: 'limit', detail: `expected a whole number from 1 to ${MAX_LIST_LIMIT}, got ${JSON.stringify(text)}` });
};
