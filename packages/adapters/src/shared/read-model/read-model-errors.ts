import { ClusterconfError } from '@clusterconf/domain';

/**
 * A batch's checkpoint did not start where this store last saw it: another writer committed to the namespace in
 * between (two runners without a shared lease, or a holder that lost its lease). The batch was rolled back whole.
 */
export class CheckpointConflictError extends ClusterconfError {
  readonly code = 'CHECKPOINT_CONFLICT';
  constructor(readonly namespace: string, readonly expected: string | undefined, readonly actual: string | undefined) {
    super(
      `Batch for read-model namespace ${namespace} was rolled back: its checkpoint was expected at ` +
        `${expected ?? 'the start'} but another writer moved it to ${actual ?? 'the start'}. Run one runner per ` +
        `namespace (use leases), then restart this runner so it resumes from the stored checkpoint`,
    );
  }
}

/** A statement a handler queued through `DocumentOperations.sql` failed; the whole batch was rolled back. */
export class ReadModelStatementError extends ClusterconfError {
  readonly code = 'READ_MODEL_STATEMENT_FAILED';
  constructor(readonly namespace: string, readonly statement: string, options: { cause: unknown }) {
    const reason = options.cause instanceof Error ? options.cause.message : String(options.cause);
    super(
      `A handler's SQL statement for namespace ${namespace} failed and its batch was rolled back: ${reason}. ` +
        `Statement: ${statement.length > 200 ? `${statement.slice(0, 200)}…` : statement}. Fix the statement or create its table first`,
      options,
    );
  }
}

/** What was wrong with a document and what to do, when it is not the default (the document is not JSON). */
export interface DocumentProblem {
  /** Completes "Document … in collection … (namespace …)", e.g. "is not JSON". */
  readonly problem: string;
  /** What to do instead, as a sentence. */
  readonly fix: string;
}

const NOT_JSON: DocumentProblem = { problem: 'is not JSON', fix: 'Store bigints and dates as strings' };

/**
 * A read-model document the store cannot hold: one JSON cannot represent (a bigint, a cycle), or, for a store with
 * narrower limits, one that problem names. Nothing of its batch was written.
 */
export class InvalidDocumentError extends ClusterconfError {
  readonly code = 'INVALID_DOCUMENT';
  constructor(
    readonly namespace: string,
    readonly collection: string,
    readonly id: string,
    options: { cause: unknown },
    { problem, fix }: DocumentProblem = NOT_JSON,
  ) {
    const reason = options.cause instanceof Error ? options.cause.message : String(options.cause);
    super(`Document "${id}" in collection "${collection}" (namespace ${namespace}) ${problem}: ${reason}. ${fix}`, options);
  }
}

/** The read-model schema in a database is newer than this version of @clusterconf/adapters knows. */
export class ReadModelSchemaTooNewError extends ClusterconfError {
  readonly code = 'READ_MODEL_SCHEMA_TOO_NEW';
  constructor(readonly location: string, readonly found: number, readonly known: number) {
    super(
      `The read-model tables at ${location} have schema version ${found}, but this version of @clusterconf/adapters ` +
        `knows versions up to ${known}: upgrade @clusterconf/adapters, or point it at another database`,
    );
  }
}
