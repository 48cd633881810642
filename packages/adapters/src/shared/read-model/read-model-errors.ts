import { ClusterconfError } from '@clusterconf/domain';

export { InvalidDocumentError, type DocumentProblem } from '@clusterconf/projections';

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
