/**
 * What a failed append means for whoever retries it, read from the error's `code` (a string every store error has; not
 * `instanceof`, so errors of another copy of this package classify alike, and the domain imports no adapter):
 * - `conflict` (`WRONG_EXPECTED_REVISION`, `APPEND_CONDITION_FAILED`): the events were not written, another writer's
 *   were; read and decide again;
 * - `unknown` (`STORE_UNAVAILABLE`: the connection failed or dropped, or the store did not answer in time): they may or
 *   may not be stored; only the same events with the same ids and expected revision may be sent again, which a store
 *   answers with the original result if the first try went through;
 * - `stored` (`APPEND_POSITION_UNKNOWN`): they are stored but the store could not say where; read the stream;
 * - `final`: anything else (an invalid event, a closed store, access denied): a retry would fail alike.
 */
export type AppendFailureKind = 'conflict' | 'unknown' | 'stored' | 'final';

/** Classifies an error thrown by `appendToStream`; see `AppendFailureKind`. */
export const appendFailureKind = (error: unknown): AppendFailureKind => {
  const code = typeof error === 'object' && error !== null ? (error as { code?: unknown }).code : undefined;
  switch (code) {
    case 'WRONG_EXPECTED_REVISION':
    case 'APPEND_CONDITION_FAILED':
      return 'conflict';
    case 'STORE_UNAVAILABLE':
      return 'unknown';
    case 'APPEND_POSITION_UNKNOWN':
      return 'stored';
    default:
      return 'final';
  }
};
