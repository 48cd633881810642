import * as E from 'fp-ts/lib/Either.js';
import { parsePosition, type Position } from '@clusterconf/domain';
import { errorReply, type HttpReply } from './http-reply.js';

/** What a request asks for, once its method, path and query are understood. */
export type Route =
  | { readonly kind: 'command'; readonly command: string }
  | { readonly kind: 'read-document'; readonly readModel: string; readonly id: string; readonly after: Position | undefined }
  | {
      readonly kind: 'list-documents';
      readonly readModel: string;
      readonly after: Position | undefined;
      readonly afterId: string | undefined;
      readonly limit: number;
    }
  | { readonly kind: 'status' };

/** The request facts routing looks at; the HTTP edge copies them out of `IncomingMessage`. */
export interface RouteRequest {
  readonly method: string;
  readonly url: string;
  /** The `Consistency-Position` header, when sent. */
  readonly consistencyPosition: string | undefined;
}

/** The names routing accepts; anything else is a 404 that lists them. */
export interface RouteNames {
  readonly commands: readonly string[];
  readonly readModels: readonly string[];
}

/** Documents per page of `GET /read-models/<name>` unless `?limit=` says otherwise, and the most it may say. */
export const DEFAULT_LIST_LIMIT = 100;
export const MAX_LIST_LIMIT = 1000;

const methodNotAllowed = (method: string, path: string, allowed: string): HttpReply =>
  errorReply(405, { error: 'MethodNotAllowed', message: `${method} is not allowed on ${path}; use ${allowed}` }, { allow: allowed });

const notFound = (message: string): HttpReply => errorReply(404, { error: 'NotFound', message });

const badQuery = (message: string): HttpReply => errorReply(400, { error: 'InvalidQuery', message, problems: [message] });

const decodeSegment = (segment: string): string | undefined => {
  try {
    return decodeURIComponent(segment);
  } catch {
    return undefined;
  }
};

/** `?after=` wins over the header; both say "wait until the read model has seen this log position". */
const consistencyOf = (query: URLSearchParams, header: string | undefined): E.Either<HttpReply, Position | undefined> => {
  const text = query.get('after') ?? header;
  if (text === undefined || text === null) return E.right(undefined);
  try {
    return E.right(parsePosition(text));
  } catch (error) {
    const source = query.has('after') ? 'after' : 'Consistency-Position';
    return E.left(badQuery(`${source}: ${(error as Error).message}; send the position a command returned`));
  }
};

const limitOf = (query: URLSearchParams): E.Either<HttpReply, number> => {
  const text = query.get('limit');
  if (text === null) return E.right(DEFAULT_LIST_LIMIT);
  const limit = /^\d{1,7}$/.test(text) ? Number(text) : NaN;
  return limit >= 1 && limit <= MAX_LIST_LIMIT
    ? E.right(limit)
    : E.left(badQuery(`limit: expected a whole number from 1 to ${MAX_LIST_LIMIT}, got "${text}"`));
};

/**
 * Maps a request to a route, or to the reply that refuses it: 404 for unknown paths and names, 405 for a wrong
 * method (with `Allow`), 400 for a malformed query. Pure: no I/O, so every case is a plain unit test.
 */
export const matchRoute = (request: RouteRequest, names: RouteNames): E.Either<HttpReply, Route> => {
  const url = new URL(request.url, 'http://localhost');
  const segments = url.pathname.split('/').slice(1).map(decodeSegment);
  const path = url.pathname;
  if (segments.some((segment) => segment === undefined)) return E.left(notFound(`${path} is not a valid path: it holds a malformed %-escape`));
  const [root, name, id, ...rest] = segments as string[];

  if (root === 'commands' && name !== undefined && id === undefined) {
    if (!names.commands.includes(name)) return E.left(notFound(`There is no command "${name}"; use one of ${names.commands.join(', ')}`));
    if (request.method !== 'POST') return E.left(methodNotAllowed(request.method, path, 'POST'));
    return E.right({ kind: 'command', command: name });
  }

  if (root === 'read-models' && name !== undefined && name !== '' && rest.length === 0) {
    if (!names.readModels.includes(name)) {
      return E.left(notFound(`There is no read model "${name}"; use one of ${names.readModels.join(', ')}`));
    }
    if (request.method !== 'GET') return E.left(methodNotAllowed(request.method, path, 'GET'));
    const after = consistencyOf(url.searchParams, request.consistencyPosition);
    if (E.isLeft(after)) return after;
    if (id !== undefined && id !== '') return E.right({ kind: 'read-document', readModel: name, id, after: after.right });
    const limit = limitOf(url.searchParams);
    if (E.isLeft(limit)) return limit;
    const afterId = url.searchParams.get('afterId') ?? undefined;
    return E.right({ kind: 'list-documents', readModel: name, after: after.right, afterId, limit: limit.right });
  }

  if (path === '/status') {
    return request.method === 'GET' ? E.right({ kind: 'status' }) : E.left(methodNotAllowed(request.method, path, 'GET'));
  }

  return E.left(notFound(`Nothing is served at ${path}; POST /commands/<name>, GET /read-models/<name>[/<id>] or GET /status`));
};
