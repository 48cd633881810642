import type {
  AppendOptions, AppendResult, EventStore, KeyStore, LogProgress, NewEvent, PersonalDataSchema, Position, ReadAllOptions, ReadStreamOptions,
  RecordedEvent, Shredder, SubscribeOptions, Subscription,
} from '@clusterconf/domain';
import { createShredder } from '@clusterconf/domain';
import { revealingIterable } from './revealing-iterable.js';
import { RevealingSubscription } from './revealing-subscription.js';

/** Options of `withPersonalData`. */
export interface PersonalDataOptions {
  /** Where the subjects' keys are: `MemoryKeyStore`, `SqliteKeyStore`, `PostgresKeyStore`, or your own `KeyStore`. */
  readonly keyStore: KeyStore;
  /** The registry whose `personal` fields are sealed (e.g. `conferenceEvents`). */
  readonly registry: PersonalDataSchema;
  /** How many events a read opens per key round trip at most; default 500. */
  readonly batchSize?: number;
  /** When new keys are recorded as created; default the system clock. */
  readonly clock?: () => Date;
}

/** The store a `withPersonalData` store wraps, for tools that must see the log as stored (ciphertext only). */
export const sealedStoreOf = (store: EventStore): EventStore => (store instanceof PersonalDataEventStore ? store.sealed : store);

/**
 * An event store whose personal data is encrypted at rest and erasable: appends seal every `personal` field of the
 * registry's types under its subject's key (creating keys as needed, refusing forgotten subjects), and every read,
 * `readStream`, `readAll` and `subscribe`, opens them again, with `Forgotten` in place of the values of forgotten
 * subjects. Events of types without personal fields pass through untouched on every path. `close()` closes the
 * wrapped store; the key store stays open, as it belongs to whoever opened it (and may serve several stores).
 */
export const withPersonalData = (store: EventStore, options: PersonalDataOptions): EventStore =>
  new PersonalDataEventStore(store, createShredder(options), options.batchSize ?? 500);

class PersonalDataEventStore implements EventStore {
  readonly sealed: EventStore;
  readonly #shredder: Shredder;
  readonly #batchSize: number;

  constructor(sealed: EventStore, shredder: Shredder, batchSize: number) {
    if (!Number.isSafeInteger(batchSize) || batchSize < 1) throw new RangeError(`PersonalDataOptions.batchSize is ${batchSize}; give a whole number >= 1, e.g. 500`);
    this.sealed = sealed;
    this.#shredder = shredder;
    this.#batchSize = batchSize;
  }

  async appendToStream(streamId: string, events: readonly NewEvent[], options?: AppendOptions): Promise<AppendResult> {
    // A batch that is no array at all is the store's to refuse, with its own message.
    const sealed = Array.isArray(events) ? await this.#shredder.protect(streamId, events) : events;
    return this.sealed.appendToStream(streamId, sealed, options);
  }

  readStream(streamId: string, options?: ReadStreamOptions): AsyncIterable<RecordedEvent> {
    return revealingIterable(this.sealed.readStream(streamId, options), this.#shredder, this.#batchSize);
  }

  readAll(options?: ReadAllOptions): AsyncIterable<RecordedEvent> {
    return revealingIterable(this.sealed.readAll(options), this.#shredder, this.#batchSize);
  }

  headPosition(): Promise<Position | undefined> {
    return this.sealed.headPosition();
  }

  progressAfter(after: Position | undefined): Promise<LogProgress> {
    return this.sealed.progressAfter(after);
  }

  subscribe(options?: SubscribeOptions): Subscription {
    return new RevealingSubscription(this.sealed.subscribe(options), this.#shredder);
  }

  close(): Promise<void> {
    return this.sealed.close();
  }
}
