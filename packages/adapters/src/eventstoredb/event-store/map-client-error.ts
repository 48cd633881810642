import type { ExpectedRevision } from '@clusterconf/domain';
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

const actualRevision = (error: object): bigint | undefined => {
  const actual = (error as { actualVersion?: unknown; actualState?: unknown }).actualVersion ?? (error as { actualState?: unknown }).actualState;
  return typeof actual === 'bigint' ? actual : undefined;
};

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
