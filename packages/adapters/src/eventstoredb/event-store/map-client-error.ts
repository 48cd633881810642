import type { ExpectedRevision } from '@clusterconf/domain';
import { APPEND_SIZE_ADVICE } from './append-size.js';
import {
  AccessDeniedError,
  ClusterconfError,
  InvalidEventError,
  StoreUnavailableError,
  StreamDeletedError,
  StreamNotFoundError,
  WrongExpectedRevisionError,
} from '@clusterconf/domain';

/** What the adapter was doing when the client failed, so the mapped error can name it. */
export interface ClientCallContext {
  readonly operation: string;
  readonly streamId: string;
  readonly endpoint: string;
  readonly expected?: ExpectedRevision;
  readonly eventIds?: readonly string[];
  readonly eventTypes?: readonly string[];
}

/** The client error kinds that mean the server could not be reached or the connection broke. */
const CONNECTION_ERRORS = new Set(['unavailable', 'cancelled', 'deadline-exceeded', 'timeout', 'not-leader']);

/** The hint every unavailable-store error gives. */
export const UNAVAILABLE_HINT =
  'check that the server is running and reachable from here, that the port is its gRPC port (2113 by default), ' +
  'and that tls= in the connection string matches the server (tls=false for a server started with --insecure)';

const errorType = (error: unknown): string | undefined =>
  typeof error === 'object' && error !== null && typeof (error as { type?: unknown }).type === 'string' ? (error as { type: string }).type : undefined;

/** True when a client error says the connection was lost or never made, so a retry on a new connection may work. */
export const isConnectionError = (error: unknown): boolean => {
  if (error instanceof StoreUnavailableError) return true;
  const type = errorType(error);
  return type !== undefined ? CONNECTION_ERRORS.has(type) : /ECONNREFUSED|ECONNRESET|UNAVAILABLE|No connection established/i.test(String(error));
};

/** The stream's actual revision in a wrong-expected-version error; undefined for no stream ('no_stream', or -1 from 20.10 servers). */
const actualRevision = (error: object): bigint | undefined => {
  const actual = (error as { actualVersion?: unknown; actualState?: unknown }).actualVersion ?? (error as { actualState?: unknown }).actualState;
  return typeof actual === 'bigint' && actual >= 0n ? actual : undefined;
};

/**
 * The hint for an append the server did not confirm in time. EventStoreDB may have written it all the same (a
 * commit timeout leaves the write to finish), and a retry with the same event ids at the same expected revision is
 * answered with the original result instead of writing twice.
 */
const appendTimeoutHint = (type: string, context: ClientCallContext): string =>
  `it did not confirm the append to stream "${context.streamId}" in time (${type}), so the events may or may not have ` +
  `been written. Retry the same append with the same event ids and the same expectedRevision ` +
  `(${context.expected === undefined ? "'any'" : typeof context.expected === 'bigint' ? context.expected.toString() : `'${context.expected}'`}): ` +
  `EventStoreDB then answers with the original result instead of writing twice, reliably only for 'no_stream' or an ` +
  `exact revision (for 'any' and 'stream_exists' only while the ids are in its idempotency cache). Do not decide ` +
  `again with new event ids until that retry has answered`;

/**
 * Maps a client error (by its `type`, which @eventstore/db-client and @kurrent/kurrentdb-client share) to the
 * library's typed errors. Errors already typed by the library pass through; unknown errors are wrapped in a
 * StoreUnavailableError only when they are connection errors, and otherwise returned unchanged.
 */
export const mapClientError = (error: unknown, context: ClientCallContext): unknown => {
  if (error instanceof ClusterconfError) return error;
  switch (errorType(error)) {
    case 'wrong-expected-version': {
      const actual = actualRevision(error as object);
      const expected = context.expected ?? 'any';
      // With 'any' (or 'stream_exists' on an existing stream) no revision can conflict: EventStoreDB answers this
      // way only when some of the event ids are already in the stream but the append is not a retry of theirs.
      if (expected === 'any' || (expected === 'stream_exists' && actual !== undefined)) {
        return new InvalidEventError(
          context.streamId,
          context.eventTypes?.[0] ?? '(batch)',
          `event ids ${context.eventIds?.join(', ') ?? ''} are partly already stored in stream "${context.streamId}" and this append is ` +
            `not a retry of that append (same ids, same order, same place); give new events new ids`,
        );
      }
      return new WrongExpectedRevisionError(context.streamId, expected, actual);
    }
    case 'maximum-append-size-exceeded': {
      const limit = (error as { maxAppendSize?: unknown }).maxAppendSize;
      return new InvalidEventError(
        context.streamId,
        context.eventTypes?.length === 1 ? context.eventTypes[0]! : `(batch of ${context.eventTypes?.length ?? '?'})`,
        `the server refused the append as larger than its --max-append-size` +
          `${typeof limit === 'number' && Number.isFinite(limit) ? ` of ${limit} bytes` : ''} (the limit is on the whole append: data, ` +
          `metadata and type of every event), and wrote nothing; ${APPEND_SIZE_ADVICE}. Set the adapter's maxAppendBytes to ` +
          `the server's --max-append-size to have such appends refused before they are sent`,
        { cause: error },
      );
    }
    case 'timeout':
    case 'deadline-exceeded': {
      const type = errorType(error)!;
      const hint =
        context.operation === 'append'
          ? appendTimeoutHint(type, context)
          : `it did not answer the ${context.operation} of "${context.streamId}" in time (${type}); retry, and if it keeps ` +
            `happening check the server's load and the client's defaultDeadline`;
      return new StoreUnavailableError(context.endpoint, hint, { cause: error });
    }
    case 'not-leader':
      return new StoreUnavailableError(
        context.endpoint,
        `the node that answered is not the cluster leader and refused the ${context.operation} of "${context.streamId}" ` +
          `(not-leader; nothing was written): name every cluster node in the connection string or use esdb+discover://, ` +
          `with nodePreference=leader, and retry`,
        { cause: error },
      );
    case 'stream-not-found':
      return new StreamNotFoundError(context.streamId);
    case 'stream-deleted':
      return new StreamDeletedError(context.streamId);
    case 'access-denied':
      return new AccessDeniedError(context.operation, context.streamId);
    case undefined:
    default:
      return isConnectionError(error) ? new StoreUnavailableError(context.endpoint, UNAVAILABLE_HINT, { cause: error }) : error;
  }
};
