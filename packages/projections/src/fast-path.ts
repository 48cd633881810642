import type { RecordedEvent, Subscription } from '@clusterconf/domain';

/**
 * The one private fast path between the adapters' catch-up subscription and the runner's lane, kept off the public
 * `EventStore` port. A subscription that holds a page of rows hands the next event over synchronously through this
 * symbol, without a promise, an iterator result or a message object each; `undefined` when the next message is not
 * such an event (a checkpoint, an unreadable row, a read or a wait), which the async iterator then delivers. A
 * consumer that alternates the two sees every message once, in order. It throws what the iterator would reject with.
 *
 * Kept because it pays: bench/suites/projection-rebuild.ts (the memory rebuild row) measures it; without it each event
 * costs an awaited promise. Not part of the public API; semver does not cover it.
 */
export const takeReadyEvent: unique symbol = Symbol.for('@clusterconf/subscription.takeReadyEvent');

/** A subscription that offers the fast path. */
export interface TakesReadyEvents {
  [takeReadyEvent](): RecordedEvent | undefined;
}

/** The subscription's fast path, bound, or `undefined` when it has none (every event then comes through the iterator). */
export const takeReadyEventOf = (subscription: Subscription): (() => RecordedEvent | undefined) | undefined => {
  const take = (subscription as Partial<TakesReadyEvents>)[takeReadyEvent];
  return typeof take === 'function' ? take.bind(subscription) : undefined;
};
