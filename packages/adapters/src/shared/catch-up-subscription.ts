/**
 * The catch-up-then-live subscription every SQL adapter of this package builds on, for adapter authors: a store
 * offers a `LogSource` (pages of its log, and a wait for what comes next) and gets a `Subscription`.
 *
 * @module \@clusterconf/adapters/catch-up
 */
import type { EventFilter, Position, RecordedEvent, Subscription, SubscriptionMessage, UnreadableEvent } from '@clusterconf/domain';
import { CorruptEventError, isAfter, StoreClosedError } from '@clusterconf/domain';
import { takeReadyEvent, type TakesReadyEvents } from '@clusterconf/projections/fast-path';

/** One page of the log as a store scanned it. */
export interface LogPage<Row = RecordedEvent> {
  /** The matching events (or, with `LogSource.decodeRow`, their undecoded rows), in position order. */
  readonly events: readonly Row[];
  /** The last position scanned, matching or not; lets a filtered subscription advance its checkpoint. */
  readonly scannedUpTo: Position | undefined;
  /** True when the scan hit the page limit, so more rows may follow at once. */
  readonly full: boolean;
}

/**
 * What a store offers for the generic catch-up subscription.
 *
 * The ordering rule every log must keep: nothing ever appears before a position a reader has passed. Positions are
 * unique and strictly increasing in log order (`comparePositions`), and once a read has handed out a position (an
 * event's, or a page's `scannedUpTo`), no event may later become visible at or before it: an append that commits
 * late must still land after every position already read. The subscription keeps only its last position, asks for the
 * page after it, and moves its checkpoint over what a filter left out, so a store that let an event appear behind a
 * reader would lose it for good, in every subscriber and every resumed projection. A store whose writers can commit
 * out of position order must hold reads back until the order is settled, as the PostgreSQL store does: it reads only
 * rows whose transaction id is below `pg_snapshot_xmin(pg_current_snapshot())`, the oldest transaction still running.
 */
export interface LogSource<Row = RecordedEvent> {
  /**
   * Reads the page after `after`: up to `limit` rows strictly after it, in position order, with `scannedUpTo` the
   * last position the read looked at, matching the filter or not, which falls under the ordering rule above too.
   * `signal` aborts when the subscription closes: a store that waits inside a read (for rows still being ordered, or
   * before retrying a lost connection) ends the wait and returns what it has, or throws.
   */
  readPage(after: Position | undefined, limit: number, filter: EventFilter | undefined, signal: AbortSignal): Promise<LogPage<Row>>;
  /**
   * Turns a row of a page into its event when the consumer reaches it; a row it cannot decode throws a
   * `CorruptEventError` (see `unreadableRow`). Decoding one row at a time keeps a page's parsed events from outliving
   * their delivery, which spares the garbage collector from copying a whole page of them. Without it, rows are the
   * events themselves.
   */
  decodeRow?(row: Row): RecordedEvent;
  /**
   * Where a row that `decodeRow` refused with `error` sits, and its type, from the columns that are still readable:
   * the subscription delivers it as an `unreadable` message and goes on. Throws `error` when even those cannot be
   * read, which ends the subscription after the rows before it.
   */
  unreadableRow?(row: Row, error: CorruptEventError): UnreadableEvent;
  /**
   * Resolves when events after `after` may exist: at once when they already do, else on the next append (or the
   * next poll for stores written by other processes). Resolves early when `signal` aborts.
   */
  waitForEventsAfter(after: Position | undefined, signal: AbortSignal): Promise<void>;
}

const FINISHED: IteratorReturnResult<undefined> = { done: true, value: undefined };

/**
 * Catch-up-then-live subscription over any `LogSource`, the `subscribe()` of every store here: `subscribe(options)`
 * returns `catchUpSubscription(this, options, onClose)`, and the store's `close()` closes the subscriptions it handed
 * out (`onClose` tells it which have closed on their own). Pull-based: a page is read only when the consumer has taken
 * the previous one, so a slow consumer bounds memory to one page. The messages come from one async generator; the
 * runner's lane also takes the events of the page in hand synchronously through the fast path (`takeReadyEvent`).
 */
export const catchUpSubscription = <Row = RecordedEvent>(
  source: LogSource<Row>,
  options: { after?: Position; filter?: EventFilter; pageSize?: number },
  onClose: (subscription: Subscription) => void = () => undefined,
): Subscription => {
  const pageSize = options.pageSize ?? 500;
  const abort = new AbortController();
  const decode = source.decodeRow === undefined ? (row: Row) => row as unknown as RecordedEvent : (row: Row) => source.decodeRow!(row);
  /** True for what `decode` throws at a row the iterator turns into an `unreadable` message (or finds unplaceable). */
  const placeable = (error: unknown): error is CorruptEventError => source.unreadableRow !== undefined && error instanceof CorruptEventError;

  let after = options.after;
  /** Where the last `caughtUp` was sent; `null` before the first. */
  let caughtUpAt: Position | undefined | null = null;
  let rows: readonly Row[] = [];
  let index = 0;
  /** `next()` calls not yet answered: while one runs, the generator owns the page and the fast path stays out. */
  let inFlight = 0;

  /** Ended by an error (a corrupt row, a closed store) or by close(): release the store's hold on it. */
  const end = (): void => {
    if (abort.signal.aborted) return;
    abort.abort(new StoreClosedError('The subscription'));
    // Nothing in hand any more, so the fast path need not ask the signal.
    rows = [];
    index = 0;
    onClose(subscription);
  };

  const takeEvent = (): RecordedEvent => {
    const event = decode(rows[index]!);
    index++;
    after = event.position;
    return event;
  };

  /**
   * The row in hand as its message. An unreadable row is caught here rather than tested for on every row: the try
   * costs the rows that decode nothing.
   */
  const deliver = (): SubscriptionMessage => {
    try {
      return { kind: 'event', event: takeEvent() };
    } catch (error) {
      if (!placeable(error)) throw error;
      const unreadable = source.unreadableRow!(rows[index]!, error);
      index++;
      after = unreadable.position;
      return { kind: 'unreadable', event: unreadable };
    }
  };

  async function* messages(): AsyncGenerator<SubscriptionMessage, undefined> {
    try {
      while (!abort.signal.aborted) {
        const read = await source.readPage(after, pageSize, options.filter, abort.signal);
        if (abort.signal.aborted) break;
        rows = read.events;
        index = 0;
        // `index` moves under the fast path too, between the messages yielded here.
        while (index < rows.length) yield deliver();
        rows = [];
        if (read.scannedUpTo !== undefined && isAfter(read.scannedUpTo, after)) {
          after = read.scannedUpTo;
          yield { kind: 'checkpoint', position: after };
        }
        if (read.full) continue;
        // Caught up again whenever it moved since it last said so: also when the move came in an earlier, full page
        // and this one found nothing more.
        if (caughtUpAt === null || (after !== undefined && (caughtUpAt === undefined || isAfter(after, caughtUpAt)))) {
          caughtUpAt = after;
          yield { kind: 'caughtUp', position: after };
        }
        await source.waitForEventsAfter(after, abort.signal);
      }
    } finally {
      end();
    }
    return undefined;
  }
  const generator = messages();

  /**
   * The next event of the page in hand, or `undefined` when the next message needs the iterator: also at an
   * unreadable row, which stays in hand for the iterator to decode again and deliver as its message (a second parse of
   * a rare bad row, rather than a held message every `next()` would have to look for).
   */
  const takeReady = (): RecordedEvent | undefined => {
    if (inFlight > 0 || index >= rows.length) return undefined;
    try {
      return takeEvent();
    } catch (error) {
      if (placeable(error)) return undefined;
      // Ended: the iterator's next() and close() finish the suspended generator.
      end();
      throw error;
    }
  };

  const iterator: AsyncIterator<SubscriptionMessage> = {
    next: async () => {
      // Ended (closed, or a fault on the fast path): nothing more, even where the generator was left suspended.
      if (abort.signal.aborted) {
        await generator.return(undefined).catch(() => undefined);
        return FINISHED;
      }
      inFlight++;
      try {
        return await generator.next();
      } finally {
        inFlight--;
      }
    },
    return: async () => {
      await subscription.close();
      return FINISHED;
    },
  };

  const subscription: Subscription & TakesReadyEvents = {
    [Symbol.asyncIterator]: () => iterator,
    [takeReadyEvent]: takeReady,
    close: async () => {
      if (abort.signal.aborted) return;
      end();
      // Settles after the generator's step in progress, if any (a read or wait ends at once on the abort).
      await generator.return(undefined).catch(() => undefined);
    },
  };
  return subscription;
};

/** Resolves after `ms`, or at once when `signal` aborts. */
export const delay = (ms: number, signal: AbortSignal): Promise<void> =>
  new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    }
    signal.addEventListener('abort', done, { once: true });
  });
