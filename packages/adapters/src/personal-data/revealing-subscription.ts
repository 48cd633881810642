import type { RecordedEvent, Shredder, Subscription, SubscriptionMessage } from '@clusterconf/domain';
import { SealedDataError } from '@clusterconf/domain';
import { takeReadyEvent, takeReadyEventOf, type TakesReadyEvents } from '@clusterconf/projections/fast-path';

type UnreadableMessage = Extract<SubscriptionMessage, { kind: 'unreadable' }>;

// Recorded events have no `kind`: the opened events of a page are kept as they are, without a message object each.
const isUnreadable = (item: RecordedEvent | UnreadableMessage): item is UnreadableMessage => (item as Partial<UnreadableMessage>).kind === 'unreadable';
const messageOf = (item: RecordedEvent | UnreadableMessage): SubscriptionMessage => (isUnreadable(item) ? item : { kind: 'event', event: item });

/**
 * A subscription with its personal data opened, keeping the runner's fast path: an event of a type without personal
 * fields is handed on as it comes, synchronously, at the cost of one set lookup. An event with personal fields, and
 * the rest of the page in hand with it, is opened in one batch (one key round trip) and then handed out from there.
 * A value that does not authenticate becomes an `unreadable` message in its event's place (`SealedDataError`), so
 * only the consumers of its type stop at it.
 */
export class RevealingSubscription implements Subscription, TakesReadyEvents {
  readonly #inner: Subscription;
  readonly #shredder: Shredder;
  readonly #takeInner: (() => RecordedEvent | undefined) | undefined;
  readonly #iterator: AsyncIterator<SubscriptionMessage>;
  /** Opened events (and unreadable messages in their place) not handed out yet, from `#index` on. */
  #ready: (RecordedEvent | UnreadableMessage)[] = [];
  #index = 0;
  /** An event with personal fields the fast path met: the next `next()` opens it with the page after it. */
  #pending: RecordedEvent | undefined;

  constructor(inner: Subscription, shredder: Shredder) {
    this.#inner = inner;
    this.#shredder = shredder;
    this.#takeInner = takeReadyEventOf(inner);
    this.#iterator = inner[Symbol.asyncIterator]();
  }

  [takeReadyEvent](): RecordedEvent | undefined {
    if (this.#index < this.#ready.length) {
      const item = this.#ready[this.#index]!;
      if (isUnreadable(item)) return undefined;
      this.#index++;
      return item;
    }
    if (this.#pending !== undefined || this.#takeInner === undefined) return undefined;
    const event = this.#takeInner();
    if (event === undefined || !this.#shredder.holdsPersonalData(event.type)) return event;
    this.#pending = event;
    return undefined;
  }

  async #next(): Promise<IteratorResult<SubscriptionMessage>> {
    if (this.#index < this.#ready.length) return { done: false, value: messageOf(this.#ready[this.#index++]!) };
    this.#ready = [];
    this.#index = 0;
    let first = this.#pending;
    this.#pending = undefined;
    if (first === undefined) {
      const result = await this.#iterator.next();
      if (result.done === true || result.value.kind !== 'event' || !this.#shredder.holdsPersonalData(result.value.event.type)) return result;
      first = result.value.event;
    }
    // The rest of the page in hand comes along, so the page costs one key round trip.
    const batch = [first];
    for (let event = this.#takeInner?.(); event !== undefined; event = this.#takeInner?.()) batch.push(event);
    const keys = await this.#shredder.loadKeys(this.#shredder.subjectsOf(batch));
    this.#ready = batch.map((event) => {
      const opened = this.#shredder.open(event, keys);
      if (!(opened instanceof SealedDataError)) return opened;
      const { streamId, streamRevision, position, type } = event;
      return { kind: 'unreadable', event: { streamId, streamRevision, position, type, error: opened } };
    });
    this.#index = 1;
    return { done: false, value: messageOf(this.#ready[0]!) };
  }

  [Symbol.asyncIterator](): AsyncIterator<SubscriptionMessage> {
    return {
      next: () => this.#next(),
      return: async () => {
        await this.close();
        return { done: true, value: undefined };
      },
    };
  }

  async close(): Promise<void> {
    this.#ready = [];
    this.#index = 0;
    this.#pending = undefined;
    await this.#inner.close();
  }
}
