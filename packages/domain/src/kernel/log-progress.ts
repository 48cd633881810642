import type { Position } from './position.js';

/**
 * How far the log reaches past a consumer's checkpoint, as `EventStore.progressAfter` reports it. Lag is counted in
 * events, because positions are not counts on every store: PostgreSQL's sequence numbers have holes (rolled-back
 * appends) and are not in log order, and EventStoreDB's are byte offsets.
 */
export interface LogProgress {
  /** The last position a reader can reach now (what `headPosition` reports, without waiting); `undefined`: empty log. */
  readonly head: Position | undefined;
  /**
   * Events stored after `after` in log order (committed ones). On PostgreSQL this includes committed events that the
   * ordering bound still keeps from readers (they lie past `head`; `heldBy` says what holds them).
   */
  readonly eventsAfter: number;
  /**
   * `exact` when counted; `estimate` when the count was cut off at a bound and extrapolated: the store counts up to
   * a fixed number of events (10,000 for the SQL stores and EventStoreDB), measures how densely they fill the span of
   * positions they cover, and extends that density over the rest of the span up to the last stored event. The memory
   * store always counts exactly.
   */
  readonly eventsAfterIs: 'exact' | 'estimate';
  /** Set while a transaction keeps committed events from being delivered (PostgreSQL's ordering bound). */
  readonly heldBy?: HeldTransaction;
}

/** The transaction that keeps committed events from readers; end it to release them (see the adapters README). */
export interface HeldTransaction {
  /** The transaction id (xid8 as text). */
  readonly transactionId: string;
  /** ISO 8601 instant the transaction started (a prepared one: when it was prepared), when the server knows it. */
  readonly since: string | undefined;
  /** The database it runs in, when known. */
  readonly database: string | undefined;
  /** The backend's process id, for pg_terminate_backend; undefined for a prepared transaction. */
  readonly pid: number | undefined;
  /** The global id of a prepared transaction (COMMIT PREPARED / ROLLBACK PREPARED it), else undefined. */
  readonly preparedAs: string | undefined;
}
