/**
 * The Dynamic Consistency Boundary port (dcb.events): reading the events a query selects across streams, and
 * appending on the condition that no event matching a query was stored after a position. It sits beside the stream
 * API of `EventStore`, over the same log: every event still belongs to a stream and has a revision in it, and stream
 * appends and conditional appends share one sequence of positions, so a condition sees both.
 */
import type { NewEvent, RecordedEvent } from './event.js';
import type { AppendResult } from './event-store.js';
import type { Position } from './position.js';
import type { Query } from './query.js';

/**
 * The condition of `DcbEventStore.append`: the append fails with `AppendConditionFailedError` when the log holds an
 * event matching `failIfEventsMatch` after `after` (anywhere in the log when `after` is left out). A decision made on
 * `read(query)` appends with that query and the position of the last event the read returned, so it stands exactly
 * when nothing it would have read has been stored since.
 */
export interface AppendCondition {
  readonly failIfEventsMatch: Query;
  /** Exclusive: events strictly after it conflict. Left out: every matching event conflicts. */
  readonly after?: Position;
}

/** Options of `DcbEventStore.read`. */
export interface QueryReadOptions {
  /** Exclusive: events strictly after this position. Left out: from the start of the log. */
  readonly after?: Position;
  /** At most this many events (a whole number >= 1). Left out: all. */
  readonly limit?: number;
}

/**
 * What a store offers beyond the `EventStore` port; the contract suite reads it to know which cases apply.
 * - `dcb`: the store implements `DcbEventStore` (a conditional append that is atomic with its check, under
 *   concurrency, across streams). A store that cannot says `false` and throws `DcbNotSupportedError` from `read` and
 *   `append`, saying why.
 */
export interface StoreCapabilities {
  readonly dcb: boolean;
}

/**
 * The DCB port, implemented by the memory, SQLite and PostgreSQL stores with identical semantics (the contract
 * suite's DCB part proves it); EventStoreDB cannot (see its adapter's README).
 *
 * Streams. A conditional append names one stream and appends at its end without a revision check: the condition is
 * the check. So events keep a home that `readStream`, revisions, export and import and stream-prefix filters know,
 * and two conditional appends to different streams with disjoint conditions never wait for each other. A caller
 * that needs both guards appends with `appendToStream` and an expected revision, or puts the stream's events in the
 * condition.
 *
 * Retries. An append whose event ids are all already stored, at consecutive revisions of the same stream with the
 * same types, is a retry of an append that succeeded: it returns that append's result instead of failing its own
 * condition (which its own stored events would now match), as `appendToStream` does.
 */
export interface DcbEventStore {
  readonly capabilities: StoreCapabilities & { readonly dcb: true };
  /**
   * The events matching `query` after `options.after`, in log order. On PostgreSQL the read only returns events
   * whose position no later commit can precede (see the adapter), so the last position read is a sound `after`.
   */
  read(query: Query, options?: QueryReadOptions): AsyncIterable<RecordedEvent>;
  /**
   * Appends all events at the end of `streamId`, or none: refused with `AppendConditionFailedError`, naming the
   * query and the first conflicting position, when `condition` does not hold. Without a condition it always
   * appends. The check and the write are atomic against every other append, conditional or not, on every store.
   */
  append(streamId: string, events: readonly NewEvent[], condition?: AppendCondition): Promise<AppendResult>;
}

/** True when `store` says it offers the DCB port and has its methods. */
export const supportsDcb = <Store extends object>(store: Store): store is Store & DcbEventStore => {
  const candidate = store as Partial<DcbEventStore>;
  return candidate.capabilities?.dcb === true && typeof candidate.read === 'function' && typeof candidate.append === 'function';
};
