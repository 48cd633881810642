import type { StoreCapabilities } from './dcb-event-store.js';
import type { NewEvent, RecordedEvent } from './event.js';
import type { ExpectedRevision } from './expected-revision.js';
import type { LogProgress } from './log-progress.js';
import type { Position } from './position.js';
import type { UnreadableEvent } from './unreadable-event.js';

/** Options of `appendToStream`. */
export interface AppendOptions {
  /** Defaults to `'any'`. */
  readonly expectedRevision?: ExpectedRevision;
}

/** What a successful append reports. */
export interface AppendResult {
  /** The revision of the last event now in the stream: pass it as `expectedRevision` to append next. */
  readonly nextExpectedRevision: bigint;
  /** The global position of the last appended event. */
  readonly position: Position;
}

/** Where `readStream` starts and which way it goes. */
export interface ReadStreamOptions {
  readonly direction?: 'forwards' | 'backwards';
  /** Inclusive. Defaults to the first revision forwards, the last backwards. */
  readonly fromRevision?: bigint | 'start' | 'end';
  readonly maxCount?: number;
}

/**
 * Selects events of `readAll` and `subscribe`: an event matches when its stream id starts with one of
 * `streamPrefixes` and its type is in `eventTypes` or, with `orTypesNotIn`, not in that list. An absent field matches
 * every event; an empty list matches none (`orTypesNotIn: []` matches every type).
 */
export interface EventFilter {
  readonly eventTypes?: readonly string[];
  /** Also match events whose type is NOT in this list (e.g. the registry's types), so a consumer sees types nobody decodes. */
  readonly orTypesNotIn?: readonly string[];
  readonly streamPrefixes?: readonly string[];
}

/** Options of `readAll`. */
export interface ReadAllOptions {
  /** Exclusive: events strictly after this position. Omitted: from the start of the log. */
  readonly after?: Position;
  readonly maxCount?: number;
  readonly filter?: EventFilter;
  /** How many rows a store fetches per round trip; memory use stays bounded by it. */
  readonly pageSize?: number;
}

/** Options of `subscribe`. */
export interface SubscribeOptions {
  /** Exclusive: delivers events strictly after this position. Omitted: from the start of the log. */
  readonly after?: Position;
  readonly filter?: EventFilter;
  /** How many events the subscription fetches ahead of its consumer at most. */
  readonly pageSize?: number;
}

/**
 * What a subscription yields:
 * - `event`: the next event in position order;
 * - `unreadable`: in its place in that order, a stored row of a type the filter selects that the store could not turn
 *   into an event (its data or metadata does not parse); the subscription goes on with the rows after it, so one bad
 *   row fails only the consumers that care about its type. A row whose place or type cannot be read either still ends
 *   the subscription with `CorruptEventError`;
 * - `checkpoint`: every event up to `position` has been delivered (as an event or unreadable) or filtered out, so a
 *   consumer may store it;
 * - `caughtUp`: the subscription has delivered everything stored when it was sent and now waits for new events.
 */
export type SubscriptionMessage =
  | { readonly kind: 'event'; readonly event: RecordedEvent }
  | { readonly kind: 'unreadable'; readonly event: UnreadableEvent }
  | { readonly kind: 'checkpoint'; readonly position: Position }
  | { readonly kind: 'caughtUp'; readonly position: Position | undefined };

/**
 * A catch-up-then-live subscription. It is pull-based: it reads ahead at most one page, so a slow consumer slows
 * the reads rather than growing a buffer. `close()` ends iteration at once, also while waiting for new events.
 */
export interface Subscription extends AsyncIterable<SubscriptionMessage> {
  close(): Promise<void>;
}

/**
 * The port every event store adapter implements with identical semantics, proven by the contract suite
 * (`describeEventStoreContract` from `@clusterconf/adapters/testing`).
 * Events are stored and returned in their JSON form; decoding against codecs happens in `EventRegistry`.
 */
export interface EventStore {
  /** What the store offers beyond this port (`DcbEventStore`); left out, nothing. */
  readonly capabilities?: StoreCapabilities;
  /**
   * Appends all events or none. Refuses with `WrongExpectedRevisionError` when `expectedRevision` does not hold.
   * Appending events whose eventIds are already stored at the same place in the stream is a successful no-op that
   * returns the original result, so a retried request never stores an event twice.
   */
  appendToStream(streamId: string, events: readonly NewEvent[], options?: AppendOptions): Promise<AppendResult>;
  /** Reads one stream in revision order; throws `StreamNotFoundError` when it has no events. */
  readStream(streamId: string, options?: ReadStreamOptions): AsyncIterable<RecordedEvent>;
  /** Reads the global log forwards in position order, page by page. */
  readAll(options?: ReadAllOptions): AsyncIterable<RecordedEvent>;
  /** The position of the last event in the log, or `undefined` when the log is empty. */
  headPosition(): Promise<Position | undefined>;
  /** How far the log reaches past `after` (a consumer's checkpoint): the head, the events stored after it, and on stores with an ordering bound what holds delivery back. */
  progressAfter(after: Position | undefined): Promise<LogProgress>;
  /** Catches up from a position, then follows new events live. */
  subscribe(options?: SubscribeOptions): Subscription;
  /** Releases connections and files; subscriptions opened from this store end. */
  close(): Promise<void>;
}
