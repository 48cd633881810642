import type { CurrentRevision, ExpectedRevision } from './expected-revision.js';
import { describeCurrentRevision, describeExpectedRevision } from './expected-revision.js';

/** Every error a store or handler throws has a stable machine-readable `code` beside its message. */
export abstract class ClusterconfError extends Error {
  abstract readonly code: string;
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** An append's `expectedRevision` did not hold: someone else wrote to the stream first. */
export class WrongExpectedRevisionError extends ClusterconfError {
  readonly code = 'WRONG_EXPECTED_REVISION';
  constructor(
    readonly streamId: string,
    readonly expected: ExpectedRevision,
    readonly actual: CurrentRevision,
  ) {
    super(
      `Append to stream "${streamId}" expected ${describeExpectedRevision(expected)} but the stream is at ` +
        `${describeCurrentRevision(actual)}: re-read the stream, decide again, and append with the revision you read`,
    );
  }
}

/** The stream has no events (or never existed). */
export class StreamNotFoundError extends ClusterconfError {
  readonly code = 'STREAM_NOT_FOUND';
  constructor(readonly streamId: string) {
    super(`Stream "${streamId}" does not exist: check the id, or treat it as empty when creating it`);
  }
}

/** The stream was deleted or tombstoned in the store. */
export class StreamDeletedError extends ClusterconfError {
  readonly code = 'STREAM_DELETED';
  constructor(readonly streamId: string) {
    super(`Stream "${streamId}" has been deleted: a tombstoned stream cannot be read or written again; use a new id`);
  }
}

/** The store refused the operation for the given credentials. */
export class AccessDeniedError extends ClusterconfError {
  readonly code = 'ACCESS_DENIED';
  constructor(readonly operation: string, readonly target: string) {
    super(`Access denied for ${operation} on "${target}": check the user's permissions or the credentials in the connection string`);
  }
}

/** A stream id that no adapter accepts. */
export class InvalidStreamIdError extends ClusterconfError {
  readonly code = 'INVALID_STREAM_ID';
  constructor(readonly streamId: string, readonly reason: string) {
    super(`Invalid stream id ${JSON.stringify(streamId.length > 80 ? `${streamId.slice(0, 80)}…` : streamId)}: ${reason}`);
  }
}

/**
 * An append's `expectedRevision` is none of its four forms (`'any'`, `'no_stream'`, `'stream_exists'`, a bigint
 * revision from 0 to 2^63 - 1); nothing was written. Refused rather than read as `'any'`, which would drop the check.
 */
export class InvalidExpectedRevisionError extends ClusterconfError {
  readonly code = 'INVALID_EXPECTED_REVISION';
  constructor(readonly streamId: string, readonly expectedRevision: unknown, readonly reason: string) {
    super(`Append to stream "${streamId}" was refused before writing: its expectedRevision ${reason}`);
  }
}

/** An event refused before anything was written: not serialisable, too large, or malformed. */
export class InvalidEventError extends ClusterconfError {
  readonly code = 'INVALID_EVENT';
  constructor(readonly streamId: string, readonly eventType: string, readonly reason: string, options?: { cause?: unknown }) {
    super(`Event "${eventType}" for stream "${streamId}" was refused before writing: ${reason}`, options);
  }
}

/** A stored row whose JSON or metadata cannot be read; the rest of the store stays readable. */
export class CorruptEventError extends ClusterconfError {
  readonly code = 'CORRUPT_EVENT';
  constructor(
    readonly streamId: string,
    readonly streamRevision: bigint,
    readonly position: string,
    readonly reason: string,
    options?: { cause?: unknown },
  ) {
    super(
      `Stored event at stream "${streamId}" revision ${streamRevision} (position ${position}) is unreadable: ${reason}. ` +
        `Repair or remove that row; other events are unaffected`,
      options,
    );
  }
}

/** A stored event whose payload does not match its codec. */
export class EventDecodeError extends ClusterconfError {
  readonly code = 'EVENT_DECODE_FAILED';
  constructor(
    readonly streamId: string,
    readonly streamRevision: bigint,
    readonly eventType: string,
    readonly problems: readonly string[],
  ) {
    super(
      `Event "${eventType}" at stream "${streamId}" revision ${streamRevision} does not decode: ${problems.join('; ')}. ` +
        `Register an upcaster for its schemaVersion or fix the producer`,
    );
  }
}

/** A domain event about to be written does not match its own codec: a decider (or a caller) produced bad data. */
export class EventEncodeError extends ClusterconfError {
  readonly code = 'EVENT_ENCODE_FAILED';
  constructor(readonly eventType: string, readonly problems: readonly string[]) {
    super(
      `Event "${eventType}" does not match its codec and was not written: ${problems.join('; ')}. ` +
        'The decider that made it must check its input (or build the event through the codec) before deciding',
    );
  }
}

/** The command handler gave up after its bounded attempts, the last of which lost a race with another writer. */
export class RetriesExhaustedError extends ClusterconfError {
  readonly code = 'RETRIES_EXHAUSTED';
  constructor(readonly streamId: string, readonly attempts: number, options?: { cause?: unknown }) {
    super(
      `Command on stream "${streamId}" was not applied in ${attempts} attempts, the last of which conflicted with another ` +
        `writer: the stream is too contended; retry later, raise maxAttempts, or split the stream`,
      options,
    );
  }
}

const describeCause = (cause: unknown): string => (cause instanceof Error ? cause.message : String(cause));

/**
 * The command handler gave up while the store had not confirmed its last append (the connection dropped, the store
 * timed out): the command's events may or may not be stored. Handling the command again with the same `commandId` is
 * safe and tells: it returns the stored result, or decides and appends once.
 */
export class CommandOutcomeUnknownError extends ClusterconfError {
  readonly code = 'COMMAND_OUTCOME_UNKNOWN';
  constructor(readonly streamId: string, readonly commandId: string, readonly attempts: number, options?: { cause?: unknown }) {
    super(
      `Command ${commandId} on stream "${streamId}" may or may not have been applied: the store did not confirm its append ` +
        `in ${attempts} attempts (last: ${describeCause(options?.cause)}). Once the store is reachable, handle the command ` +
        `again with commandId ${JSON.stringify(commandId)}: it is answered with the stored result, or appended once`,
      options,
    );
  }
}

/** A store opened as "existing only" holds no event store: a wrong path or schema, not an empty log. */
export class NoEventStoreError extends ClusterconfError {
  readonly code = 'NO_EVENT_STORE';
  constructor(readonly where: string, readonly fix: string) {
    super(`${where} holds no @clusterconf event store, and was left as it was: ${fix}`);
  }
}

/** The store could not be reached or opened. */
export class StoreUnavailableError extends ClusterconfError {
  readonly code = 'STORE_UNAVAILABLE';
  constructor(readonly endpoint: string, readonly hint: string, options?: { cause?: unknown }) {
    super(`Cannot reach the store at ${endpoint}: ${hint}`, options);
  }
}

/** An operation on a store or subscription after it was closed. */
export class StoreClosedError extends ClusterconfError {
  readonly code = 'STORE_CLOSED';
  constructor(readonly what: string) {
    super(`${what} is closed: open a new one`);
  }
}

/** A query (of `DcbEventStore.read`, or an append condition) that no store accepts; nothing was read or written. */
export class InvalidQueryError extends ClusterconfError {
  readonly code = 'INVALID_QUERY';
  constructor(readonly where: string, readonly reason: string) {
    super(`The query of ${where} was refused before anything was read or written: ${reason}`);
  }
}

/**
 * The store does not offer Dynamic Consistency Boundaries (`capabilities.dcb` is false): it cannot make a check
 * across streams atomic with an append. Nothing was read or written.
 */
export class DcbNotSupportedError extends ClusterconfError {
  readonly code = 'DCB_NOT_SUPPORTED';
  constructor(readonly store: string, readonly reason: string, readonly fix: string) {
    super(`${store} does not offer queries and conditional appends across streams (Dynamic Consistency Boundaries): ${reason}. ${fix}`);
  }
}
