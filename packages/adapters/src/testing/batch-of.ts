import type { BatchCommit } from '@clusterconf/projections';

/**
 * A batch for `namespace` with what `parts` gives and nothing else: no changes, statements or dead letters, no new
 * checkpoint, and none expected (a namespace's first batch).
 */
export const batchOf = (namespace: string, parts: Partial<Omit<BatchCommit, 'namespace'>>): BatchCommit => ({
  namespace,
  changes: [],
  statements: [],
  deadLetters: [],
  removeDeadLetters: [],
  checkpoint: undefined,
  expectedCheckpoint: undefined,
  ...parts,
});
