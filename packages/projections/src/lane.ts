import * as E from 'fp-ts/lib/Either.js';
import type { DomainEvent, EventRegistry, EventStore, Position, RecordedEvent, Subscription, SubscriptionMessage } from '@clusterconf/domain';
import { comparePositions, isAfter } from '@clusterconf/domain';
import { toDeadLetter } from './dead-letter.js';
import { ProjectionFailedError } from './errors.js';
import { Mutex } from './mutex.js';
import { handlerFor, type Projection, type ProjectionHandler } from './projection.js';
import type { ProjectionState } from './projection-status.js';
import type { RateMeter } from './rate-meter.js';
import { CHECKPOINT_CONFLICT_CODE, type Lease } from './read-model-store.js';
import type { UnitOfWork } from './unit-of-work.js';

/** One projection version inside a runner: its progress, its open batch and its lease. */
export interface Entry<Event extends DomainEvent> {
  readonly projection: Projection<Event>;
  role: 'serving' | 'building';
  state: ProjectionState;
  error: Error | undefined;
  /** The last checkpoint committed to the read-model store. */
  committed: Position | undefined;
  /**
   * How far the open batch reaches: events applied or filtered out after `committed`. While the entry runs in a lane,
   * the lane keeps its progress for all entries (`Lane.#position`) and brings this up to date before a commit.
   */
  reached: Position | undefined;
  readonly unitOfWork: UnitOfWork;
  lease: Lease | undefined;
  lane: Lane<Event> | undefined;
  /** Events applied (or dead-lettered) by this runner, for the rate. */
  applied: number;
  deadLettersRecorded: number;
  readonly rate: RateMeter;
  caughtUpOnce: boolean;
  /** Caught up once and, for a first version, activated: from then on `waitFor` may count its checkpoint. */
  ready: boolean;
  /** Checkpoint conflicts in a row; reset by a successful commit. */
  conflicts: number;
  /** `Date.now()` of the last commit, to bound how stale a checkpoint-only commit may get. */
  lastCommitAt: number;
  /**
   * Counts the times the entry was reset (rebuilt, taken over, its lease lost): a lane being started for it, or a
   * first catch-up being completed, that began under an older number no longer applies to it.
   */
  generation: number;
}

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
  /** Called after every commit and state change, so waiters can re-check. */
  readonly changed: () => void;
  /** Called when an entry's commit met a checkpoint conflict: start it again, in a lane of its own, from its stored checkpoint. */
  readonly restart: (entries: Entry<Event>[]) => void;
  /** Called once per entry, the first time it is caught up, outside the lane's lock. */
  readonly firstCaughtUp: (entry: Entry<Event>) => Promise<void>;
}

/** Checkpoint conflicts in a row after which a projection fails instead of resuming again. */
const MAX_CONFLICTS = 5;

const asError = (error: unknown): Error => (error instanceof Error ? error : new Error(String(error)));

const isCheckpointConflict = (error: unknown): boolean =>
  error instanceof Error && (error as { code?: unknown }).code === CHECKPOINT_CONFLICT_CODE;

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
}

/** Whether an entry reads the log: catching up or live (not standby, stopped or failed). */
export const isRunning = (entry: { readonly state: ProjectionState }): boolean => entry.state === 'catching-up' || entry.state === 'live';

const isPromiseLike = (value: unknown): value is PromiseLike<unknown> =>
  typeof value === 'object' && value !== null && typeof (value as { then?: unknown }).then === 'function';

const furthest = (a: Position | undefined, b: Position | undefined): Position | undefined =>
  a === undefined ? b : b === undefined ? a : comparePositions(a, b) >= 0 ? a : b;

/**
 * One subscription to the log serving a set of projection versions: each event is read and decoded once and
 * offered to every entry past whose checkpoint it lies. Batches are committed per entry, all at the same moments
 * (every `batchSize` messages and whenever the subscription is caught up). The lane's lock is held from the first
 * message of a batch until its commit, so control operations (retire, rebuild, replay) only ever run between
 * batches.
 */
export class Lane<Event extends DomainEvent> {
  readonly #context: LaneContext<Event>;
  readonly #entries: Set<Entry<Event>>;
  /** Per event type, the entries that handle it, built on first sight of the type. */
  readonly #routes = new Map<string, Route<Event>>();
  #lastType: string | undefined;
  #lastRoute: Route<Event> | undefined;
  /**
   * The last event or checkpoint the lane has offered to every running entry: how far each running entry's open batch
   * reaches, whether the event was its type or not. Kept once here rather than per entry and event.
   */
  #position: Position | undefined;
  /** True once no entry runs any more (all failed or were removed): the loop ends. */
  #idle = false;
  readonly lock = new Mutex();
  #release: (() => void) | undefined;
  #subscription: Subscription | undefined;
  #stopping = false;
  #sinceCommit = 0;
  /**
   * The furthest checkpoint among the entries when the lane started, until an event passes it: up to there some entry
   * may have to skip events it already applied; past it every event is new to every entry, so none needs a check.
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

  /** Asks the lane to commit the batch in hand and end; resolves when it has. */
  async stop(): Promise<void> {
    await this.#requestStop();
    await this.done;
  }

  /**
   * Takes an entry out between batches, dropping its open batch (nothing of it was committed). When no entry is left
   * running, the lane ends.
   */
  async remove(entry: Entry<Event>): Promise<void> {
    await this.lock.run(async () => this.#detach(entry));
    // Not `stop()`: this may run inside the lane's own loop (a blue/green switch), which must not await itself.
    if (this.#idle) await this.#requestStop();
  }

  /** Takes an entry out at once; only while the lane's lock is held (by `remove`, or by the lane's own batch). */
  #detach(entry: Entry<Event>): void {
    this.#entries.delete(entry);
    this.#routes.clear();
    this.#lastType = undefined;
    this.#lastRoute = undefined;
    this.#idle = !this.#anyRunning();
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
      const subscription = this.#context.eventStore.subscribe({ after, filter: { eventTypes }, pageSize: this.#context.pageSize });
      this.#subscription = subscription;
      const iterator = subscription[Symbol.asyncIterator]();
      for (;;) {
        // Events of the page in hand without a promise or a message each; the iterator for everything else.
        const ready = subscription.takeReady?.();
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
      // The log could not be read (a corrupt row, a closed store): every projection it serves stops with the error.
      // A commit's failure is its projection's alone and handled where it happens (`#commitFailed`).
      for (const entry of this.#running()) this.#fail(entry, asError(error));
    } finally {
      this.#releaseLock();
      await this.#subscription?.close();
      for (const entry of this.#entries) {
        if (isRunning(entry)) entry.state = 'stopped';
        if (entry.lane === this) entry.lane = undefined;
      }
      this.#context.changed();
    }
  }

  async #message(message: SubscriptionMessage): Promise<void> {
    switch (message.kind) {
      case 'event':
        return this.#event(message.event);
      case 'checkpoint':
        this.#position = furthest(this.#position, message.position);
        return;
      case 'caughtUp':
        this.#position = furthest(this.#position, message.position);
        await this.#commit(true);
        return this.#caughtUp();
    }
  }

  /** Applies an event and ends the batch when it is full; returns `undefined` (no promise) while both are synchronous. */
  #event(event: RecordedEvent): Promise<void> | undefined {
    const pending = this.#apply(event);
    if (pending !== undefined) return pending.then(() => this.#passed(event.position));
    return this.#passed(event.position);
  }

  /** Every running entry has taken the event at `position`; ends the batch when it is full. */
  #passed(position: Position): Promise<void> | undefined {
    this.#position = position;
    return ++this.#sinceCommit >= this.#context.batchSize ? this.#commit(false) : undefined;
  }

  #anyRunning(): boolean {
    for (const entry of this.#entries) if (isRunning(entry)) return true;
    return false;
  }

  #running(): Entry<Event>[] {
    return [...this.#entries].filter(isRunning);
  }

  /** Brings a running entry's `reached` up to the lane's progress, before its batch is committed. */
  #reach(entry: Entry<Event>): void {
    if (isRunning(entry)) entry.reached = furthest(entry.reached ?? entry.committed, this.#position);
  }

  /**
   * Offers the event to every entry past whose checkpoint it lies, decoding it once. Synchronous while handlers are:
   * returns `undefined` when every handler returned without a promise (the usual case in a rebuild, with handlers
   * built on `update`), so the loop pays no promise and no microtask per event; otherwise a promise that continues with
   * the entries after the one that went asynchronous.
   */
  #apply(event: RecordedEvent, from = 0, decoded?: Decoded): Promise<void> | undefined {
    const { entries, handlers } = this.#route(event.type);
    let skipping = this.#skipping !== undefined;
    if (skipping && isAfter(event.position, this.#skipping)) {
      this.#skipping = undefined;
      skipping = false;
    }
    for (let index = from; index < entries.length; index++) {
      const entry = entries[index]!;
      if (!isRunning(entry)) continue;
      if (skipping) {
        // Until the lane passes every entry's starting checkpoint, an entry skips what it already applied.
        const reached = entry.reached ?? entry.committed;
        if (reached !== undefined && !isAfter(event.position, reached)) continue;
      }
      decoded ??= this.#decode(event);
      const pending = decoded instanceof DecodeFailure ? this.#poison(entry, event, decoded.error) : this.#handle(entry, handlers[index]!, decoded, event);
      if (pending !== undefined) {
        const state = decoded;
        return pending.then(() => this.#apply(event, index + 1, state));
      }
    }
    return undefined;
  }

  #decode(event: RecordedEvent): Decoded {
    const registry = this.#context.registry;
    // The usual case: a current payload its codec accepts as stored is already the decoded event.
    if (registry.acceptsAsStored(event.type, event.metadata.schemaVersion, event.data)) return event;
    const result = registry.decodeData(event.type, event.metadata.schemaVersion, event.data, event);
    if (E.isLeft(result)) return new DecodeFailure(result.left);
    const data = result.right.data;
    // A payload checked in place (no upcast, no transformation) is the stored one: the event itself is the decoded event.
    if (data === event.data) return event;
    const { streamId, streamRevision, position, type, metadata } = event;
    return { streamId, streamRevision, position, type, data, metadata };
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

  /** Drops what the failed handler changed and treats the event as poison for this entry. */
  #discard(entry: Entry<Event>, event: RecordedEvent, error: unknown): Promise<void> | undefined {
    entry.unitOfWork.discardEvent();
    return this.#poison(entry, event, error);
  }

  /** An event the entry could not decode or apply: stop the entry (the default) or record a dead letter and go on. */
  #poison(entry: Entry<Event>, event: RecordedEvent, error: unknown): Promise<void> | undefined {
    const cause = error ?? new Error('the handler threw a nullish value');
    if (this.#context.deadLetters === 'stop') {
      const { name, version } = entry.projection;
      // Commits what precedes the event; a commit that failed has already failed the projection with its own error.
      return this.#commitEntry(entry).then(() => {
        if (entry.state !== 'failed') this.#fail(entry, new ProjectionFailedError(name, version, event.position, event.type, event.streamId, cause));
      });
    }
    entry.unitOfWork.recordDeadLetter(toDeadLetter(entry.projection.namespace, event, cause, this.#context.clock()));
    entry.deadLettersRecorded++;
    entry.applied++;
    return undefined;
  }

  /** The entries that handle `type`, with their handlers: one map lookup per event, and no work for the others. */
  #route(type: string): Route<Event> {
    // Runs of one type are common (a registration desk, a vote): compare with the last type before hashing this one.
    if (type === this.#lastType) return this.#lastRoute!;
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
      route = { entries, handlers };
      this.#routes.set(type, route);
    }
    this.#lastType = type;
    this.#lastRoute = route;
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
      entry.unitOfWork.reset();
      entry.reached = entry.committed;
      return;
    }
    const moved = entry.reached !== undefined && isAfter(entry.reached, entry.committed);
    if (!moved && !entry.unitOfWork.hasChanges) return;
    try {
      await entry.unitOfWork.commit(moved ? entry.reached : undefined, entry.committed);
    } catch (error) {
      this.#commitFailed(entry, error);
      return;
    }
    if (moved) entry.committed = entry.reached;
    entry.conflicts = 0;
    entry.lastCommitAt = Date.now();
    entry.rate.sample(entry.lastCommitAt, entry.applied);
  }

  /**
   * A batch the store refused is that projection's failure alone. A checkpoint conflict (another writer, whose lease
   * lapsed, committed after this one loaded the checkpoint) wrote nothing: the projection leaves this lane and resumes
   * from what the store holds, up to `MAX_CONFLICTS` times in a row. Anything else stops it with the error.
   */
  #commitFailed(entry: Entry<Event>, error: unknown): void {
    if (isCheckpointConflict(error) && ++entry.conflicts <= MAX_CONFLICTS) {
      this.#detach(entry);
      this.#context.restart([entry]);
      return;
    }
    this.#fail(entry, asError(error));
  }

  async #caughtUp(): Promise<void> {
    const first: Entry<Event>[] = [];
    for (const entry of this.#running()) {
      if (entry.state === 'catching-up') entry.state = 'live';
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

  #fail(entry: Entry<Event>, error: Error): void {
    entry.state = 'failed';
    entry.error = error;
    entry.unitOfWork.reset();
    entry.reached = entry.committed;
    if (!this.#anyRunning()) this.#idle = true;
    this.#context.changed();
  }

  #releaseLock(): void {
    const release = this.#release;
    this.#release = undefined;
    release?.();
  }
}
