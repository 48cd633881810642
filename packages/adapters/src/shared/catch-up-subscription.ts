import type { EventFilter, Position, RecordedEvent, Subscription, SubscriptionMessage } from '@clusterconf/domain';
import { isAfter, StoreClosedError } from '@clusterconf/domain';

/** One page of the log as a store scanned it. */
export interface LogPage {
  /** The matching events, in position order. */
  readonly events: readonly RecordedEvent[];
  /** The last position scanned, matching or not; lets a filtered subscription advance its checkpoint. */
  readonly scannedUpTo: Position | undefined;
  /** True when the scan hit the page limit, so more rows may follow at once. */
  readonly full: boolean;
  /**
   * A row the store could not decode (a `CorruptEventError`): the subscription delivers `events`, which precede it,
   * then throws this, so a consumer gets everything up to the bad row and an error naming it.
   */
  readonly failure?: unknown;
}

/** What a store offers for the generic catch-up subscription. */
export interface LogSource {
  readPage(after: Position | undefined, limit: number, filter: EventFilter | undefined): Promise<LogPage>;
  /**
   * Resolves when events after `after` may exist: at once when they already do, else on the next append (or the
   * next poll for stores written by other processes). Resolves early when `signal` aborts.
   */
  waitForEventsAfter(after: Position | undefined, signal: AbortSignal): Promise<void>;
}

/**
 * Catch-up-then-live subscription over any `LogSource`. Pull-based: a page is read only when the consumer has taken
 * the previous one, so a slow consumer bounds memory to one page.
 */
export const catchUpSubscription = (
  source: LogSource,
  options: { after?: Position; filter?: EventFilter; pageSize?: number },
  onClose: (subscription: Subscription) => void = () => undefined,
): Subscription => {
  const pageSize = options.pageSize ?? 500;
  const abort = new AbortController();

  async function* messages(): AsyncGenerator<SubscriptionMessage> {
    try {
      yield* follow();
    } finally {
      // Ended by an error (a corrupt row, a closed store): release the store's hold on it as close() would.
      if (!abort.signal.aborted) {
        abort.abort(new StoreClosedError('The subscription'));
        onClose(subscription);
      }
    }
  }

  async function* follow(): AsyncGenerator<SubscriptionMessage> {
    let after = options.after;
    let caughtUpAt: Position | undefined | null = null;
    while (!abort.signal.aborted) {
      const page = await source.readPage(after, pageSize, options.filter);
      for (const event of page.events) {
        if (abort.signal.aborted) return;
        after = event.position;
        yield { kind: 'event', event };
      }
      if (page.failure !== undefined) throw page.failure;
      if (page.scannedUpTo !== undefined && isAfter(page.scannedUpTo, after)) {
        after = page.scannedUpTo;
        yield { kind: 'checkpoint', position: after };
      }
      if (page.full) continue;
      if (caughtUpAt === null || page.events.length > 0 || page.scannedUpTo !== undefined) {
        caughtUpAt = after;
        yield { kind: 'caughtUp', position: after };
      }
      await source.waitForEventsAfter(after, abort.signal);
    }
  }

  const iterator = messages();
  const subscription: Subscription = {
    [Symbol.asyncIterator]: () => ({
      next: () => (abort.signal.aborted ? Promise.resolve({ done: true, value: undefined }) : iterator.next()),
      return: async () => {
        await subscription.close();
        return { done: true, value: undefined };
      },
    }),
    close: async () => {
      if (abort.signal.aborted) return;
      abort.abort(new StoreClosedError('The subscription'));
      onClose(subscription);
      await iterator.return(undefined);
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
