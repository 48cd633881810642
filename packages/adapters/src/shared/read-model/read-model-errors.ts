import { ClusterconfError } from '@clusterconf/domain';

// One class for every read-model store, memory included: it lives beside the port, and the adapters' entry points
// re-export it from here as they always have.
export { CheckpointConflictError } from '@clusterconf/projections';

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
