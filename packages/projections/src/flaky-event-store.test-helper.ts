import type { EventStore, LogProgress, Position, RecordedEvent, SubscribeOptions, Subscription, SubscriptionMessage } from '@clusterconf/domain';
import { CorruptEventError, formatPosition } from '@clusterconf/domain';

/**
 * Test helper: an event store in front of another whose log reads a test can fail, as a lost connection would, and
 * that counts its subscriptions and the events they deliver (to check "one read of the log"). It can also turn chosen
 * stored events into unreadable rows, as a store meets a row with broken JSON.
 */
export class FlakyEventStore implements EventStore {
  /** While true, every subscription read and status query fails with a connection error. */
  down = false;
  /** Subscriptions opened so far, and those still open. */
  opened = 0;
  open = 0;
  /** Events delivered by all subscriptions, by formatted position: a count above 1 is an event read twice. */
  readonly delivered = new Map<string, number>();
  /** Positions (formatted) delivered as unreadable rows instead of events. */
  readonly unreadable = new Set<string>();

  constructor(readonly inner: EventStore) {}

  appendToStream: EventStore['appendToStream'] = (...args) => this.inner.appendToStream(...args);
  readStream: EventStore['readStream'] = (...args) => this.inner.readStream(...args);
  readAll: EventStore['readAll'] = (...args) => this.inner.readAll(...args);
  headPosition: EventStore['headPosition'] = () => this.inner.headPosition();
  close: EventStore['close'] = () => this.inner.close();

  async progressAfter(after: Position | undefined): Promise<LogProgress> {
    this.#check();
    return this.inner.progressAfter(after);
  }

  subscribe(options?: SubscribeOptions): Subscription {
    const inner = this.inner.subscribe(options);
    this.opened++;
    this.open++;
    let closed = false;
    const close = async () => {
      if (!closed) {
        closed = true;
        this.open--;
      }
      await inner.close();
    };
    const iterator = inner[Symbol.asyncIterator]();
    return {
      close,
      [Symbol.asyncIterator]: () => ({
        next: async (): Promise<IteratorResult<SubscriptionMessage>> => {
          if (this.down) {
            await close();
            throw connectionLost();
          }
          const result = await iterator.next();
          if (result.done === true) return result;
          if (this.down) {
            await close();
            throw connectionLost();
          }
          if (result.value.kind !== 'event') return result;
          return { done: false, value: this.#deliver(result.value.event) };
        },
        return: async () => {
          await close();
          return { done: true, value: undefined };
        },
      }),
    };
  }

  #deliver(event: RecordedEvent): SubscriptionMessage {
    const key = formatPosition(event.position);
    this.delivered.set(key, (this.delivered.get(key) ?? 0) + 1);
    if (!this.unreadable.has(key)) return { kind: 'event', event };
    const { streamId, streamRevision, position, type } = event;
    const error = new CorruptEventError(streamId, streamRevision, key, 'its data is not JSON');
    return { kind: 'unreadable', event: { streamId, streamRevision, position, type, error } };
  }

  #check(): void {
    if (this.down) throw connectionLost();
  }
}

const connectionLost = (): Error => Object.assign(new Error('Connection terminated unexpectedly'), { code: 'ECONNRESET' });
