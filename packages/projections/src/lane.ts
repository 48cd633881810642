import * as E from 'fp-ts/lib/Either.js';
import type { DomainEvent, EventRegistry, EventStore, Position, RecordedEvent, Subscription, SubscriptionMessage, UnreadableEvent } from '@clusterconf/domain';
import { comparePositions, isAfter } from '@clusterconf/domain';
import { toDeadLetter, toUnreadableDeadLetter } from './dead-letter.js';
import type { Entry } from './entry.js';
import { ProjectionFailedError } from './errors.js';
import { takeReadyEventOf } from './fast-path.js';
import { isRunning } from './lifecycle.js';
import { Mutex } from './mutex.js';
import { handlerFor, type ProjectionHandler } from './projection.js';
import { isBatchRefusal } from './store-faults.js';

/** What a lane tells its runner about one of its entries; the runner turns it into a lifecycle transition. */
export type LaneReport =
  | { readonly type: 'progressed' }
  | { readonly type: 'caughtUp' }
  | { readonly type: 'leaseLost' }
  | { readonly type: 'poison'; readonly error: Error };

/** What a lane needs from its runner. */
export interface LaneContext<Event extends DomainEvent> {
  readonly eventStore: EventStore;
  readonly registry: EventRegistry<Event>;
  readonly batchSize: number;
  readonly pageSize: number;
  readonly deadLetters: 'stop' | 'record';
  /** While catching up, a projection whose batch changed nothing commits its checkpoint at most this often. */
  readonly checkpointIntervalMs: number;
  readonly clock: () => Date;
  /** An entry's lifecycle event; the entry has already left the lane when it no longer runs. */
  readonly report: (entry: Entry<Event>, report: LaneReport) => void;
  /** A transient fault of these entries (the log could not be read, a commit failed): the runner retries them. */
  readonly faulted: (entries: readonly Entry<Event>[], error: Error) => void;
  /** Called after every commit, so waiters can re-check. */
  readonly changed: () => void;
  /** Called once per entry, the first time it is caught up, outside the lane's lock. */
  readonly firstCaughtUp: (entry: Entry<Event>) => Promise<void>;
}

const asError = (error: unknown): Error => (error instanceof Error ? error : new Error(String(error)));

/** Why an event could not be decoded; a lane decodes each event once for all its entries. */
class DecodeFailure {
  constructor(readonly error: unknown) {}
}

/** An event decoded for the handlers, or why it could not be. */
type Decoded = RecordedEvent | DecodeFailure;

/** The entries of a lane that handle one event type, each with its handler (same index). */
interface Route<Event extends DomainEvent> {
  readonly entries: readonly Entry<Event>[];
  readonly handlers: readonly ProjectionHandler<DomainEvent>[];
  /** The registry does not know the type: no entry handles it, each running one counts it. */
  readonly unregistered: boolean;
}

const isPromiseLike = (value: unknown): value is PromiseLike<unknown> =>
  typeof value === 'object' && value !== null && typeof (value as { then?: unknown }).then === 'function';

const furthest = (a: Position | undefined, b: Position | undefined): Position | undefined =>
  a === undefined ? b : b === undefined ? a : comparePositions(a, b) >= 0 ? a : b;

const running = <Event extends DomainEvent>(entry: Entry<Event>): boolean => isRunning(entry.lifecycle);

/**
 * One subscription to the log serving a set of projection versions: each event is read and decoded once and
 * offered to every entry past whose checkpoint it lies. Batches are committed per entry, all at the same moments
 * (every `batchSize` messages and whenever the subscription is caught up). The lane's lock is held from the first
 * message of a batch until its commit, so control operations (retire, rebuild, replay, merge) only ever run between
 * batches. A lane never changes an entry's lifecycle itself: it reports to the runner, and takes out (`#detach`) every
 * entry that no longer runs.
 */
export class Lane<Event extends DomainEvent> {
  readonly #context: LaneContext<Event>;
  readonly #entries: Set<Entry<Event>>;
  /** Per event type, the entries that handle it, built on first sight of the type. */
  readonly #routes = new Map<string, Route<Event>>();
  /**
   * The last event or checkpoint the lane has offered to every running entry: how far each running entry's open batch
   * reaches, whether the event was its type or not. Kept once here rather than per entry and event.
   */
  #position: Position | undefined;
  /** True once no entry is left: the loop ends. */
  #idle = false;
  readonly lock = new Mutex();
  #release: (() => void) | undefined;
  #subscription: Subscription | undefined;
  #stopping = false;
  #sinceCommit = 0;
  #caughtUp = false;
  /**
   * The furthest checkpoint among the entries when the lane started, until an event passes it: up to there some entry
   * may have to skip events it already applied; past it every event is new to every entry, so none needs a check
   * (measured: 2 to 6 % of the memory rebuild, bench/suites/projection-rebuild.ts).
   */
  #skipping: Position | undefined;
  /** Resolves when the lane has committed its last batch and ended. */
  readonly done: Promise<void>;

  constructor(context: LaneContext<Event>, entries: readonly Entry<Event>[]) {
    this.#context = context;
    this.#entries = new Set(entries);
    for (const entry of entries) entry.lane = this;
    this.done = this.#run();
  }

  /** The entries the lane holds. */
  get entries(): readonly Entry<Event>[] {
    return [...this.#entries];
  }

  /** Caught up at its last read and holding no uncommitted event: merging it into another lane loses no time. */
  get isCaughtUp(): boolean {
    return this.#caughtUp;
  }

  /** Asks the lane to commit the batch in hand and end; resolves when it has. */
  async stop(): Promise<void> {
    await this.#requestStop();
    await this.done;
  }

  /**
   * Takes an entry out between batches, dropping its open batch (nothing of it was committed). When no entry is left,
   * the lane ends.
   */
  async remove(entry: Entry<Event>): Promise<void> {
    await this.lock.run(async () => this.#detach(entry));
    // Not `stop()`: this may run inside the lane's own loop (a blue/green switch), which must not await itself.
    if (this.#idle) await this.#requestStop();
  }

  /** Takes an entry out at once; only while the lane's lock is held (by `remove`, or by the lane's own batch). */
  #detach(entry: Entry<Event>): void {
    if (!this.#entries.delete(entry)) return;
    this.#routes.clear();
    this.#idle = this.#entries.size === 0;
    if (entry.lane === this) entry.lane = undefined;
    entry.unitOfWork.reset();
    entry.reached = entry.committed;
  }

  async #requestStop(): Promise<void> {
    this.#stopping = true;
    await this.#subscription?.close();
  }

  async #run(): Promise<void> {
    // Let the constructor finish before the first await touches `this.done`.
    await Promise.resolve();
    const entries = [...this.#entries];
    const after = entries.some((e) => e.committed === undefined)
      ? undefined
      : entries.map((e) => e.committed!).reduce((a, b) => (comparePositions(a, b) <= 0 ? a : b));
    const eventTypes = [...new Set(entries.flatMap((e) => e.projection.eventTypes as readonly string[]))];
    this.#skipping = entries.map((e) => e.reached ?? e.committed).reduce(furthest, undefined);
    try {
      if (this.#stopping || entries.length === 0) return;
      // Types the registry does not know come along, so they are counted rather than passed over unseen. When the
      // entries handle every registered type, that is every type: the log is read unfiltered, sparing a test per row.
      const registered = this.#context.registry.types;
      const handled = new Set(eventTypes);
      const filter = registered.every((type) => handled.has(type)) ? undefined : { eventTypes, orTypesNotIn: registered };
      const subscription = this.#context.eventStore.subscribe({ after, filter, pageSize: this.#context.pageSize });
      this.#subscription = subscription;
      const takeReady = takeReadyEventOf(subscription);
      const iterator = subscription[Symbol.asyncIterator]();
      for (;;) {
        // Events of the page in hand without a promise or a message each; the iterator for everything else (the fast
        // path: about 10 % of the memory rebuild, bench/suites/projection-rebuild.ts).
        const ready = takeReady?.();
        if (ready === undefined) {
          const result = await iterator.next();
          if (result.done === true) break;
          this.#release ??= await this.lock.acquire();
          await this.#message(result.value);
        } else {
          this.#release ??= await this.lock.acquire();
          const pending = this.#event(ready);
          if (pending !== undefined) await pending;
        }
        if (this.#stopping || this.#idle) break;
      }
      this.#release ??= await this.lock.acquire();
      await this.#commit(true);
    } catch (error) {
      // The log could not be read (a lost connection, a closed store): a transient fault of every entry it serves,
      // which the runner retries from their committed checkpoints. A commit's failure is handled where it happens.
      const faulted = [...this.#entries];
      for (const entry of faulted) this.#detach(entry);
      if (!this.#stopping && faulted.length > 0) this.#context.faulted(faulted, asError(error));
    } finally {
      this.#releaseLock();
      await this.#subscription?.close();
      for (const entry of this.#entries) if (entry.lane === this) entry.lane = undefined;
      this.#context.changed();
    }
  }

  async #message(message: SubscriptionMessage): Promise<void> {
    switch (message.kind) {
      case 'event':
        return this.#event(message.event);
      case 'unreadable':
        return this.#unreadable(message.event);
      case 'checkpoint':
        this.#position = furthest(this.#position, message.position);
        return;
      case 'caughtUp':
        this.#position = furthest(this.#position, message.position);
        await this.#commit(true);
        return this.#reachedHead();
      default:
        throw new Error(`unknown subscription message ${JSON.stringify((message as { kind?: unknown }).kind)}`);
    }
  }

  /** Applies an event and ends the batch when it is full; returns `undefined` (no promise) while both are synchronous. */
  #event(event: RecordedEvent): Promise<void> | undefined {
    this.#caughtUp = false;
    const pending = this.#apply(event);
    if (pending !== undefined) return pending.then(() => this.#passed(event.position));
    return this.#passed(event.position);
  }

  /** A row the store could not read: poison for the entries that handle its type, nothing for the others. */
  async #unreadable(event: UnreadableEvent): Promise<void> {
    this.#caughtUp = false;
    const { entries } = this.#route(event.type);
    for (const entry of [...entries]) {
      if (!running(entry) || !this.#isNew(entry, event.position)) continue;
      if (this.#context.deadLetters === 'stop') {
        await this.#stopAt(entry, event, event.error);
        continue;
      }
      entry.unitOfWork.recordDeadLetter(toUnreadableDeadLetter(entry.projection.namespace, event, this.#context.clock()));
      entry.deadLettersRecorded++;
      entry.applied++;
    }
    await this.#passed(event.position);
  }

  /** Every running entry has taken the event at `position`; ends the batch when it is full. */
  #passed(position: Position): Promise<void> | undefined {
    this.#position = position;
    return ++this.#sinceCommit >= this.#context.batchSize ? this.#commit(false) : undefined;
  }

  #running(): Entry<Event>[] {
    return [...this.#entries].filter(running);
  }

  /** Brings a running entry's `reached` up to the lane's progress, before its batch is committed. */
  #reach(entry: Entry<Event>): void {
    entry.reached = furthest(entry.reached ?? entry.committed, this.#position);
  }

  /** Whether the event at `position` is past what the entry already applied (before the lane passed every checkpoint). */
  #isNew(entry: Entry<Event>, position: Position): boolean {
    const reached = entry.reached ?? entry.committed;
    return reached === undefined || isAfter(position, reached);
  }

  /**
   * Offers the event to every entry past whose checkpoint it lies, decoding it once. Synchronous while handlers are:
   * returns `undefined` when every handler returned without a promise (the usual case in a rebuild, with handlers
   * built on `update`), so the loop pays no promise and no microtask per event; otherwise a promise that continues with
   * the entries after the one that went asynchronous. Measured: about 11 % of the memory rebuild
   * (bench/suites/projection-rebuild.ts) against an `await` per handler.
   */
  #apply(event: RecordedEvent, from = 0, decoded?: Decoded, route = this.#route(event.type)): Promise<void> | undefined {
    let skipping = this.#skipping !== undefined;
    if (skipping && isAfter(event.position, this.#skipping)) {
      this.#skipping = undefined;
      skipping = false;
    }
    if (route.unregistered) {
      this.#countUnregistered(event.type, event.position, skipping);
      return undefined;
    }
    const { entries, handlers } = route;
    for (let index = from; index < entries.length; index++) {
      const entry = entries[index]!;
      if (!running(entry)) continue;
      // Until the lane passes every entry's starting checkpoint, an entry skips what it already applied.
      if (skipping && !this.#isNew(entry, event.position)) continue;
      decoded ??= this.#decode(event);
      const pending = decoded instanceof DecodeFailure ? this.#poison(entry, event, decoded.error) : this.#handle(entry, handlers[index]!, decoded, event);
      if (pending !== undefined) {
        // The same route: an entry that failed meanwhile left the lane's routes, not this list (it no longer runs).
        const state = decoded;
        return pending.then(() => this.#apply(event, index + 1, state, route));
      }
    }
    return undefined;
  }

  #countUnregistered(type: string, position: Position, skipping: boolean): void {
    for (const entry of this.#entries) {
      if (!running(entry) || (skipping && !this.#isNew(entry, position))) continue;
      entry.unregisteredTypes.set(type, (entry.unregisteredTypes.get(type) ?? 0) + 1);
    }
  }

  #decode(event: RecordedEvent): Decoded {
    const registry = this.#context.registry;
    // The usual case: a current payload its codec accepts as stored is already the decoded event (about 2.6 % of the
    // memory rebuild, bench/suites/projection-rebuild.ts).
    if (registry.acceptsAsStored(event.type, event.metadata.schemaVersion, event.data)) return event;
    const result = registry.decodeData(event.type, event.metadata.schemaVersion, event.data, event);
    if (E.isLeft(result)) return new DecodeFailure(result.left);
    const data = result.right.data;
    const { streamId, streamRevision, position, type, metadata, tags } = event;
    return { streamId, streamRevision, position, type, data, metadata, tags };
  }

  /** Runs one handler; a handler that throws or rejects is a poison event for that entry only. */
  #handle(entry: Entry<Event>, handler: ProjectionHandler<DomainEvent>, decoded: RecordedEvent, event: RecordedEvent): Promise<void> | undefined {
    let result: unknown;
    try {
      result = handler(decoded, entry.unitOfWork.operations);
    } catch (error) {
      return this.#discard(entry, event, error);
    }
    // The usual case in a rebuild: a synchronous handler whose updates found their documents at hand.
    if (!isPromiseLike(result) && (result = entry.unitOfWork.settled()) === undefined) {
      entry.unitOfWork.keepEvent();
      entry.applied++;
      return undefined;
    }
    return Promise.resolve(result)
      .then(() => this.#keepWhenSettled(entry))
      .then(undefined, (error: unknown) => this.#discard(entry, event, error));
  }

  /** Keeps the event once every update its handler started has settled, also those whose promise it dropped. */
  #keepWhenSettled(entry: Entry<Event>): Promise<void> | undefined {
    const updating = entry.unitOfWork.settled();
    if (updating !== undefined) return updating.then(() => this.#keepWhenSettled(entry));
    entry.unitOfWork.keepEvent();
    entry.applied++;
    return undefined;
  }

  /**
   * Drops what the failed handler changed and treats the event as poison for this entry, unless a document the
   * handler needed could not be read from the store: that is the store's fault, retried like a failed commit.
   */
  #discard(entry: Entry<Event>, event: RecordedEvent, error: unknown): Promise<void> | undefined {
    const failedRead = entry.unitOfWork.readFailure;
    entry.unitOfWork.discardEvent();
    if (failedRead !== undefined) return void this.#storeFailed(entry, failedRead.error);
    return this.#poison(entry, event, error);
  }

  /** An event the entry could not decode or apply: stop the entry (the default) or record a dead letter and go on. */
  #poison(entry: Entry<Event>, event: RecordedEvent, error: unknown): Promise<void> | undefined {
    if (this.#context.deadLetters === 'stop') return this.#stopAt(entry, event, error);
    entry.unitOfWork.recordDeadLetter(toDeadLetter(entry.projection.namespace, event, error ?? new Error('the handler threw a nullish value'), this.#context.clock()));
    entry.deadLettersRecorded++;
    entry.applied++;
    return undefined;
  }

  /** Commits what precedes a poison event, then fails the entry with an error naming the event. */
  async #stopAt(entry: Entry<Event>, event: Pick<RecordedEvent, 'position' | 'type' | 'streamId'>, error: unknown): Promise<void> {
    const cause = error ?? new Error('the handler threw a nullish value');
    const { name, version } = entry.projection;
    // A commit that failed has already taken the entry out with its own report.
    await this.#commitEntry(entry);
    if (!this.#entries.has(entry)) return;
    this.#detach(entry);
    this.#context.report(entry, { type: 'poison', error: new ProjectionFailedError(name, version, event.position, event.type, event.streamId, cause) });
  }

  /** The entries that handle `type`, with their handlers: one map lookup per event, and no work for the others. */
  #route(type: string): Route<Event> {
    let route = this.#routes.get(type);
    if (route === undefined) {
      const entries: Entry<Event>[] = [];
      const handlers: ProjectionHandler<DomainEvent>[] = [];
      for (const entry of this.#entries) {
        const handler = handlerFor(entry.projection, type);
        if (handler === undefined) continue;
        entries.push(entry);
        handlers.push(handler);
      }
      route = { entries, handlers, unregistered: !this.#context.registry.has(type) };
      this.#routes.set(type, route);
    }
    return route;
  }

  /**
   * Ends the batch. Unless `complete`, a projection whose batch changed nothing keeps its checkpoint in memory until
   * `checkpointIntervalMs` has passed: re-applying those events after a crash changes nothing either, and each
   * skipped commit saves a durable transaction.
   */
  async #commit(complete: boolean): Promise<void> {
    const now = Date.now();
    for (const entry of this.#running()) {
      if (complete || entry.unitOfWork.hasChanges || now - entry.lastCommitAt >= this.#context.checkpointIntervalMs) {
        await this.#commitEntry(entry);
      }
    }
    this.#sinceCommit = 0;
    this.#releaseLock();
    if (complete) return; // the caller notifies, after activating versions that just caught up
    this.#context.changed();
    // A catch-up over a synchronous store never leaves the microtask queue; give timers and I/O a turn per batch,
    // so a process serving requests stays responsive while a projection rebuilds.
    await new Promise<void>((resolve) => setImmediate(resolve));
  }

  async #commitEntry(entry: Entry<Event>): Promise<void> {
    this.#reach(entry);
    if (entry.lease?.lost.aborted) {
      // Another runner may own the namespace now: writing would race it, so the batch is dropped.
      this.#detach(entry);
      this.#context.report(entry, { type: 'leaseLost' });
      return;
    }
    const moved = entry.reached !== undefined && isAfter(entry.reached, entry.committed);
    if (!moved && !entry.unitOfWork.hasChanges) return;
    try {
      await entry.unitOfWork.commit(moved ? entry.reached : undefined, entry.committed);
    } catch (error) {
      this.#storeFailed(entry, error);
      return;
    }
    if (moved) entry.committed = entry.reached;
    entry.lastCommitAt = Date.now();
    entry.rate.sample(entry.lastCommitAt, entry.applied);
    this.#context.report(entry, { type: 'progressed' });
  }

  /**
   * The store failed this entry's batch (its commit, or a document read of its handler); nothing of the batch was
   * written. A lease lost meanwhile makes it a standby; a batch refused for its content (a document the store cannot
   * hold, a failing SQL statement) is poison; anything else (a lost connection, a checkpoint conflict) is a transient
   * fault the runner retries from the checkpoint.
   */
  #storeFailed(entry: Entry<Event>, error: unknown): void {
    this.#detach(entry);
    if (entry.lease?.lost.aborted) return this.#context.report(entry, { type: 'leaseLost' });
    if (isBatchRefusal(error)) return this.#context.report(entry, { type: 'poison', error: asError(error) });
    this.#context.faulted([entry], asError(error));
  }

  /** The subscription delivered everything stored: entries become live, first versions get activated. */
  async #reachedHead(): Promise<void> {
    this.#caughtUp = true;
    const first: Entry<Event>[] = [];
    for (const entry of this.#running()) {
      this.#context.report(entry, { type: 'caughtUp' });
      if (!entry.caughtUpOnce) {
        entry.caughtUpOnce = true;
        first.push(entry);
      }
    }
    for (const entry of first) {
      const generation = entry.generation;
      await this.#context.firstCaughtUp(entry);
      // A rebuild or takeover meanwhile starts the entry over: this catch-up is no longer its.
      if (entry.generation === generation) entry.ready = true;
    }
    this.#context.changed();
  }

  #releaseLock(): void {
    const release = this.#release;
    this.#release = undefined;
    release?.();
  }
}
