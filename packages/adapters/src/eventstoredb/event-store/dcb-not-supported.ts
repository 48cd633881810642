import type { RecordedEvent } from '@clusterconf/domain';
import { DcbNotSupportedError } from '@clusterconf/domain';

/**
 * Why EventStoreDB (and KurrentDB) cannot offer `DcbEventStore`, as `DcbNotSupportedError` says it: its only atomic
 * check is a stream's expected revision, of one stream (or, KurrentDB 25.1's multi-stream append, of each of a fixed
 * list of streams). A DCB condition is a query over the whole log, by types and tags, after a position; nothing on the
 * server checks such a query and appends in one step, so a check done by the client and then an append would let a
 * concurrent writer in between, which is exactly what a condition must exclude. See the adapter's README.
 */
export const dcbNotSupported = (endpoint: string): DcbNotSupportedError =>
  new DcbNotSupportedError(
    `The EventStoreDB store at ${endpoint}`,
    'EventStoreDB and KurrentDB check only expected revisions of named streams on append, never a query across streams, ' +
      'so no condition on events of other streams can be made atomic with the write',
    'Guard the invariant with one stream and an expected revision (appendToStream), or use a store whose capabilities.dcb ' +
      'is true (memory, SQLite, PostgreSQL)',
  );

/** An iterable that fails on its first `next()` with `error`, as a refused read does on every store. */
export const failingIterable = (error: () => Error): AsyncIterable<RecordedEvent> => ({
  [Symbol.asyncIterator]: () => ({ next: () => Promise.reject(error()) }),
});
