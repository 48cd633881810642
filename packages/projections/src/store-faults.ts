/**
 * Which store errors are a batch's own fault. A read-model store that refuses a batch for what it holds (a document
 * it cannot store, a handler's SQL statement that fails) will refuse it again however often it is retried: the
 * projection fails, naming the cause. Every other error (a lost connection, a timeout, a busy database, a checkpoint
 * conflict) is transient, and the runner retries the projection from its committed checkpoint.
 */

const REFUSAL_CODES = new Set(['INVALID_DOCUMENT', 'DOCUMENT_NOT_FOUND', 'READ_MODEL_STATEMENT_FAILED']);

/**
 * SQLSTATE classes of PostgreSQL errors that say nothing about the statement: connection exceptions (08), operator
 * intervention such as a server shutdown (57), insufficient resources (53) and transaction rollbacks such as
 * serialization failures (40).
 */
const TRANSIENT_SQLSTATE_CLASSES = new Set(['08', '57', '53', '40']);

const codeOf = (error: unknown): string | undefined => {
  const code = typeof error === 'object' && error !== null ? (error as { code?: unknown }).code : undefined;
  return typeof code === 'string' ? code : undefined;
};

/** Whether a driver error is about the connection or the server's condition rather than the statement. */
const isTransientCause = (cause: unknown): boolean => {
  const code = codeOf(cause);
  if (code === undefined) return false;
  if (/^[0-9A-Z]{5}$/.test(code)) return TRANSIENT_SQLSTATE_CLASSES.has(code.slice(0, 2));
  // Node's socket errors and SQLite's busy/locked states.
  return code.startsWith('E') || code === 'SQLITE_BUSY' || code === 'SQLITE_LOCKED';
};

/** True when the store refused the batch for its content, so retrying cannot help. */
export const isBatchRefusal = (error: unknown): boolean => {
  const code = codeOf(error);
  if (code === undefined || !REFUSAL_CODES.has(code)) return false;
  return !isTransientCause((error as { cause?: unknown }).cause);
};
