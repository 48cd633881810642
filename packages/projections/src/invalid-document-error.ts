import { ClusterconfError } from '@clusterconf/domain';

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
