import { ClusterconfError, comparePositions, formatPosition, type Position } from '@clusterconf/domain';
import { CHECKPOINT_CONFLICT_CODE } from './read-model-store.js';

const describe = (position: Position | undefined): string => (position === undefined ? 'none (nothing committed yet)' : formatPosition(position));

/**
 * A batch's `expectedCheckpoint` was not the namespace's stored checkpoint: another writer committed to the namespace
 * after this one last loaded or committed it (two runners without a shared lease, or a holder whose lease lapsed).
 * The store refused the batch whole; nothing of it was written. Every read-model store raises this one class.
 */
export class CheckpointConflictError extends ClusterconfError {
  readonly code = CHECKPOINT_CONFLICT_CODE;
  constructor(
    readonly namespace: string,
    /** What the batch expected to be stored; `undefined`: no checkpoint. */
    readonly expected: Position | undefined,
    /** What the store holds; `undefined`: no checkpoint. */
    readonly actual: Position | undefined,
  ) {
    super(
      `Batch for read-model namespace ${namespace} was refused and nothing of it written: it expected the stored ` +
        `checkpoint to be ${describe(expected)}, but the store holds ${describe(actual)}, so another writer committed ` +
        `in between. Load the checkpoint again and apply the events after it (a runner does this by itself); run one ` +
        `runner per namespace (use leases) so it does not happen again`,
    );
  }
}

/** True when two checkpoints are the same, `undefined` (none stored) only equal to itself. */
export const sameCheckpoint = (a: Position | undefined, b: Position | undefined): boolean =>
  a === undefined || b === undefined ? a === b : comparePositions(a, b) === 0;

/**
 * The fence every store runs inside a batch's transaction, against the checkpoint it holds there: throws
 * `CheckpointConflictError` unless it is the batch's `expectedCheckpoint`.
 */
export const assertExpectedCheckpoint = (namespace: string, expected: Position | undefined, actual: Position | undefined): void => {
  if (!sameCheckpoint(expected, actual)) throw new CheckpointConflictError(namespace, expected, actual);
};
