import type { EventFilter, Position, Subscription, SubscriptionMessage } from '@clusterconf/domain';
import { CorruptEventError, isAfter, StoreUnavailableError } from '@clusterconf/domain';
import type { ClientPosition, ClientResolvedEvent, ClientSubscription, EventStoreDBClientLike } from '../client/client-seam.js';
import { isConnectionError, mapClientError, UNAVAILABLE_HINT } from './map-client-error.js';
import { toRecordedEvent } from './recorded-event.js';
import { splitFilter } from './server-filter.js';

/**
 * Cancels a client subscription and lets it drain. A paused one would otherwise keep its cancelled call's last
 * messages buffered forever: the call never ends, and the client's dispose(), which waits for every call to finish,
 * never returns.
 */
const release = async (subscription: ClientSubscription): Promise<void> => {
  subscription.resume();
  await subscription.unsubscribe().catch(() => undefined);
};

/** How a subscription re-subscribes after its connection drops. */
export interface ReconnectPolicy {
  /** Attempts in a row without receiving anything before the subscription fails; default 30. */
  readonly maxAttempts?: number;
  /** Delay before the first attempt, doubled per attempt up to `maxDelayMs`; default 100 ms. */
  readonly initialDelayMs?: number;
  readonly maxDelayMs?: number;
}

/** What the subscription needs from its store. */
export interface EventStoreDBSubscriptionContext {
  readonly client: EventStoreDBClientLike;
  readonly endpoint: string;
  readonly reconnect: ReconnectPolicy;
  readonly onClose: (subscription: Subscription) => void;
  /** The position of the last record in `$all`, system records included; undefined when the log is empty. */
  readonly readLogEnd: () => Promise<Position | undefined>;
}

/**
 * A port subscription over the client's `subscribeToAll`: server-side filtering, EventStoreDB's checkpoints as
 * `checkpoint` messages and its caught-up signal as `caughtUp`. The server says caught-up only once, when it goes
 * live; from then on the subscription also says `caughtUp` whenever it has handed over everything the client has
 * received (the port's consumers, such as the projection runner, close a batch on it). Pull-based with a bounded buffer: when `pageSize`
 * messages wait for the consumer, the client stream is paused, so gRPC flow control holds the server back. When the
 * connection drops it re-subscribes from the last position it queued (an event's or a checkpoint's), so nothing is
 * lost or repeated.
 */
export class EventStoreDBSubscription implements Subscription {
  readonly #context: EventStoreDBSubscriptionContext;
  readonly #filter: EventFilter | undefined;
  readonly #highWater: number;
  readonly #queue: SubscriptionMessage[] = [];
  #resumeAfter: Position | undefined;
  #current: ClientSubscription | undefined;
  #paused = false;
  #deferredCheckpoint: Position | undefined;
  #deferredCaughtUp = false;
  /** The last event dropped by the adapter's own filter, and how many were dropped since the last event queued. */
  #lastDropped: Position | undefined;
  #droppedSince = 0;
  /** True once the current server subscription said caught-up: every later lull is a caught-up moment too. */
  #live = false;
  #idleCheck: NodeJS.Immediate | undefined;
  #lastCaughtUp: Position | undefined | null = null;
  /** The end of the log read just before the current server subscription started. */
  #logEndAtStart: Position | undefined;
  #opening = 0;
  #failure: unknown;
  #closed = false;
  #attempts = 0;
  #wake: (() => void) | undefined;
  #retryTimer: NodeJS.Timeout | undefined;

  constructor(context: EventStoreDBSubscriptionContext, options: { after?: Position; filter?: EventFilter; pageSize?: number }) {
    this.#context = context;
    this.#filter = options.filter;
    this.#highWater = Math.max(1, options.pageSize ?? 500);
    this.#resumeAfter = options.after;
    this.#open();
  }

  /**
   * Reads where the log ends, then subscribes. When the server later says caught-up, every record up to that end
   * has been delivered or filtered out, so it is a safe checkpoint: EventStoreDB (23.10+) sends none at that moment,
   * and without it a subscriber whose filter matched nothing would never learn how far the scan went.
   */
  #open(): void {
    const opening = ++this.#opening;
    this.#context.readLogEnd().then(
      (end) => {
        if (this.#closed || opening !== this.#opening) return;
        this.#logEndAtStart = end;
        this.#subscribe();
      },
      (error: unknown) => {
        if (!this.#closed && opening === this.#opening) this.#handleDrop(error);
      },
    );
  }

  #subscribe(): void {
    const split = splitFilter(this.#filter, (position) => this.#onCheckpoint(position));
    const subscription = this.#context.client.subscribeToAll({ fromPosition: this.#resumeAfter ?? 'start', filter: split.server });
    this.#current = subscription;
    this.#paused = false;
    this.#deferredCheckpoint = undefined;
    this.#deferredCaughtUp = false;
    this.#live = false;
    subscription.on('data', (resolved: ClientResolvedEvent) => {
      if (subscription !== this.#current) return;
      this.#attempts = 0;
      const event = resolved.event;
      if (event?.position && isAfter(event.position, this.#resumeAfter)) {
        if (split.accepts(event)) {
          try {
            this.#enqueue({ kind: 'event', event: toRecordedEvent(event) });
          } catch (error) {
            if (!(error instanceof CorruptEventError)) return this.#fail(error);
            // The server's record always names stream, revision, type and (in $all) position, so any such event is
            // delivered in its place rather than ending the subscription for every consumer.
            const { streamId, revision, type, position } = event;
            this.#enqueue({ kind: 'unreadable', event: { streamId, streamRevision: revision, position, type, error } });
          }
          this.#resumeAfter = event.position;
          this.#droppedSince = 0;
        } else {
          // The server let it through (a system event, or the half of a two-field filter the server cannot apply):
          // dropped here, it still counts as scanned, so checkpoints can move past it.
          this.#lastDropped = event.position;
          if (++this.#droppedSince >= this.#highWater) this.#checkpointDropped();
        }
      }
      this.#flushDeferred();
      if (this.#live) this.#scheduleIdleCaughtUp();
    });
    subscription.on('caughtUp', () => {
      if (subscription !== this.#current) return;
      this.#attempts = 0;
      this.#deferredCaughtUp = true;
      this.#flushDeferred();
    });
    // The server confirmed the subscription: the re-subscribe worked, so an outage later is a new one. Without this a
    // filter that rarely matches (no events, checkpoints only every 32 × window scanned, no caught-up before 23.10)
    // would add up separate outages until reconnect.maxAttempts ran out.
    subscription.on('confirmation', () => {
      if (subscription === this.#current) this.#attempts = 0;
    });
    // The server could not keep this subscriber live and re-reads from the log: until it says caught-up again, a lull
    // is not a caught-up moment, however empty the client's buffer.
    subscription.on('fellBehind', () => {
      if (subscription !== this.#current) return;
      this.#live = false;
      this.#deferredCaughtUp = false;
    });
    subscription.on('error', (error: unknown) => this.#connectionDropped(subscription, error));
    subscription.on('end', () => this.#connectionDropped(subscription, undefined));
  }

  /**
   * The client calls back on a checkpoint while events read before it may still sit in its readable buffer, so the
   * checkpoint is queued only once that buffer is empty: it must never overtake an event it covers.
   */
  #onCheckpoint(position: ClientPosition): void {
    this.#attempts = 0;
    this.#deferredCheckpoint = { commit: position.commit, prepare: position.prepare };
    this.#flushDeferred();
  }

  /** Every event before the last dropped one was already handled, so its position is a valid checkpoint now. */
  #checkpointDropped(): void {
    this.#droppedSince = 0;
    const dropped = this.#lastDropped;
    if (dropped && isAfter(dropped, this.#resumeAfter)) {
      this.#resumeAfter = dropped;
      this.#enqueue({ kind: 'checkpoint', position: dropped });
    }
  }

  #flushDeferred(): void {
    if (!this.#current || this.#current.readableLength > 0) return;
    const checkpoint = this.#deferredCheckpoint;
    this.#deferredCheckpoint = undefined;
    if (checkpoint && isAfter(checkpoint, this.#resumeAfter)) {
      this.#resumeAfter = checkpoint;
      this.#enqueue({ kind: 'checkpoint', position: checkpoint });
    }
    if (this.#deferredCaughtUp) {
      this.#deferredCaughtUp = false;
      this.#live = true;
      const end = this.#logEndAtStart;
      if (end && isAfter(end, this.#resumeAfter)) {
        this.#resumeAfter = end;
        this.#enqueue({ kind: 'checkpoint', position: end });
      }
      this.#caughtUp();
    }
  }

  #caughtUp(): void {
    this.#checkpointDropped();
    // One caughtUp per position: a lull without new events says nothing new.
    if (this.#lastCaughtUp !== null && this.#lastCaughtUp === this.#resumeAfter) return;
    this.#lastCaughtUp = this.#resumeAfter;
    this.#enqueue({ kind: 'caughtUp', position: this.#resumeAfter });
  }

  /**
   * While live, gRPC hands over each message in its own turn of the event loop; when a turn passes with nothing
   * buffered in the client, everything received has been queued, and that is a caught-up moment.
   */
  #scheduleIdleCaughtUp(): void {
    if (this.#idleCheck) return;
    this.#idleCheck = setImmediate(() => {
      this.#idleCheck = undefined;
      const current = this.#current;
      if (this.#closed || !this.#live || !current || current.readableLength > 0 || this.#deferredCheckpoint) return;
      this.#caughtUp();
    });
  }

  #enqueue(message: SubscriptionMessage): void {
    this.#queue.push(message);
    if (this.#queue.length >= this.#highWater && !this.#paused) {
      this.#paused = true;
      this.#current?.pause();
    }
    this.#signal();
  }

  #connectionDropped(subscription: ClientSubscription, error: unknown): void {
    if (subscription !== this.#current || this.#closed) return;
    this.#current = undefined;
    void release(subscription);
    this.#handleDrop(error);
  }

  /** Re-subscribes after a connection error (or an unexpected end), with backoff; fails on any other error. */
  #handleDrop(error: unknown): void {
    if (error !== undefined && !isConnectionError(error)) {
      return this.#fail(mapClientError(error, { operation: 'subscribe', streamId: '$all', endpoint: this.#context.endpoint }));
    }
    const { maxAttempts = 30, initialDelayMs = 100, maxDelayMs = 2_000 } = this.#context.reconnect;
    if (++this.#attempts > maxAttempts) {
      return this.#fail(
        new StoreUnavailableError(this.#context.endpoint, `the subscription lost its connection and ${maxAttempts} attempts to re-subscribe failed; ${UNAVAILABLE_HINT}`, {
          cause: error,
        }),
      );
    }
    const delay = Math.min(maxDelayMs, initialDelayMs * 2 ** (this.#attempts - 1));
    this.#retryTimer = setTimeout(() => {
      this.#retryTimer = undefined;
      if (!this.#closed) this.#open();
    }, delay);
  }

  #fail(error: unknown): void {
    if (this.#failure === undefined) this.#failure = error ?? new Error('subscription failed');
    const current = this.#current;
    this.#current = undefined;
    if (current) void release(current);
    this.#signal();
  }

  #signal(): void {
    const wake = this.#wake;
    this.#wake = undefined;
    wake?.();
  }

  async #next(): Promise<IteratorResult<SubscriptionMessage>> {
    for (;;) {
      if (this.#closed) return { done: true, value: undefined };
      const message = this.#queue.shift();
      if (message) {
        if (this.#paused && this.#queue.length <= this.#highWater / 2) {
          this.#paused = false;
          this.#current?.resume();
        }
        return { done: false, value: message };
      }
      if (this.#failure !== undefined) {
        const failure = this.#failure;
        await this.close();
        throw failure;
      }
      await new Promise<void>((resolve) => (this.#wake = resolve));
    }
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
    if (this.#closed) return;
    this.#closed = true;
    if (this.#retryTimer) clearTimeout(this.#retryTimer);
    if (this.#idleCheck) clearImmediate(this.#idleCheck);
    const current = this.#current;
    this.#current = undefined;
    this.#queue.length = 0;
    this.#signal();
    this.#context.onClose(this);
    if (current) await release(current);
  }
}
