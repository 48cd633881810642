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

/** A read-model document that JSON cannot represent (a bigint, a cycle); nothing of its batch was written. */
export class InvalidDocumentError extends ClusterconfError {
  readonly code = 'INVALID_DOCUMENT';
  constructor(readonly namespace: string, readonly collection: string, readonly id: string, options: { cause: unknown }) {
    const reason = options.cause instanceof Error ? options.cause.message : String(options.cause);
    super(
      `Document "${id}" in collection "${collection}" (namespace ${namespace}) is not JSON: ${reason}. ` +
        `Store bigints and dates as strings`,
      options,
    );
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
