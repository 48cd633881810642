import * as E from 'fp-ts/lib/Either.js';
import type { DomainEvent, EventRegistry, EventStore, Position, RecordedEvent, Subscription } from '@clusterconf/domain';
import { comparePositions, isAfter } from '@clusterconf/domain';
import { toDeadLetter } from './dead-letter.js';
import { ProjectionFailedError } from './errors.js';
import { Mutex } from './mutex.js';
import type { Projection, ProjectionHandler } from './projection.js';
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
  /** How far the open batch reaches: events applied or filtered out after `committed`. */
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
  /** Called when the lane ended on a checkpoint conflict: start these entries again from their stored checkpoints. */
  readonly restart: (entries: Entry<Event>[]) => void;
  /** Called once per entry, the first time it is caught up, outside the lane's lock. */
  readonly firstCaughtUp: (entry: Entry<Event>) => Promise<void>;
}

/** Checkpoint conflicts in a row after which a projection fails instead of resuming again. */
const MAX_CONFLICTS = 5;

const isCheckpointConflict = (error: unknown): boolean =>
  error instanceof Error && (error as { code?: unknown }).code === CHECKPOINT_CONFLICT_CODE;

/** The handler of `type` in a projection's declared handlers (own properties only). */
const handlerOf = (declared: object, type: string): ProjectionHandler<DomainEvent> | undefined => {
  const handler: unknown = Object.hasOwn(declared, type) ? (declared as Record<string, unknown>)[type] : undefined;
  return typeof handler === 'function' ? (handler as ProjectionHandler<DomainEvent>) : undefined;
};

/** Why an event could not be decoded; a lane decodes each event once for all its entries. */
class DecodeFailure {
  constructor(readonly error: unknown) {}
}

/** An event decoded for the handlers, or why it could not be. */
type Decoded = RecordedEvent | DecodeFailure;

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
  /** `#entries` as an array, for the per-event loop. */
  #list: Entry<Event>[];
  /** Per event type, the handler of each entry of `#list` (same index), built on first sight of the type. */
  readonly #routes = new Map<string, (ProjectionHandler<DomainEvent> | undefined)[]>();
  #lastType: string | undefined;
  #lastHandlers: (ProjectionHandler<DomainEvent> | undefined)[] = [];
  readonly lock = new Mutex();
  #release: (() => void) | undefined;
  #subscription: Subscription | undefined;
  #stopping = false;
  #sinceCommit = 0;
  /** Resolves when the lane has committed its last batch and ended. */
  readonly done: Promise<void>;

  constructor(context: LaneContext<Event>, entries: readonly Entry<Event>[]) {
    this.#context = context;
    this.#entries = new Set(entries);
    this.#list = [...entries];
    for (const entry of entries) entry.lane = this;
    this.done = this.#run();
  }

  /** Asks the lane to commit the batch in hand and end; resolves when it has. */
  async stop(): Promise<void> {
    await this.#requestStop();
    await this.done;
  }

  /** Takes an entry out between batches, discarding nothing committed; its open batch is empty at that point. */
  async remove(entry: Entry<Event>): Promise<void> {
    await this.lock.run(async () => {
      this.#entries.delete(entry);
      this.#list = [...this.#entries];
      this.#routes.clear();
      this.#lastType = undefined;
      if (entry.lane === this) entry.lane = undefined;
      entry.unitOfWork.reset();
      entry.reached = entry.committed;
    });
    // Not `stop()`: this may run inside the lane's own loop (a blue/green switch), which must not await itself.
    if (this.#entries.size === 0) await this.#requestStop();
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
    let restart: Entry<Event>[] = [];
    try {
      if (this.#stopping || entries.length === 0) return;
      const subscription = this.#context.eventStore.subscribe({ after, filter: { eventTypes }, pageSize: this.#context.pageSize });
      this.#subscription = subscription;
      const iterator = subscription[Symbol.asyncIterator]();
      for (;;) {
        // Events of the page in hand without a promise each; the iterator for everything else.
        let message = subscription.takeReady?.();
        if (message === undefined) {
          const result = await iterator.next();
          if (result.done === true) break;
          message = result.value;
        }
        this.#release ??= await this.lock.acquire();
        switch (message.kind) {
          case 'event': {
            const pending = this.#apply(message.event);
            if (pending !== undefined) await pending;
            if (++this.#sinceCommit >= this.#context.batchSize) await this.#commit(false);
            break;
          }
          case 'checkpoint':
            for (const entry of this.#running()) entry.reached = furthest(entry.reached ?? entry.committed, message.position);
            break;
          case 'caughtUp':
            for (const entry of this.#running()) entry.reached = furthest(entry.reached ?? entry.committed, message.position);
            await this.#commit(true);
            await this.#caughtUp();
            break;
        }
        if (this.#stopping || !this.#anyRunning()) break;
      }
      this.#release ??= await this.lock.acquire();
      await this.#commit(true);
    } catch (error) {
      const running = this.#running();
      if (isCheckpointConflict(error) && running.every((entry) => ++entry.conflicts <= MAX_CONFLICTS)) {
        // Another writer (a runner whose lease lapsed) committed after our checkpoint was loaded: nothing of ours was
        // written, so drop the open batches and resume every entry from what the store now holds.
        for (const entry of running) {
          entry.unitOfWork.reset();
          entry.reached = entry.committed;
        }
        restart = running;
      } else {
        for (const entry of running) this.#fail(entry, error instanceof Error ? error : new Error(String(error)));
      }
    } finally {
      this.#releaseLock();
      await this.#subscription?.close();
      for (const entry of this.#entries) {
        if (!restart.includes(entry) && (entry.state === 'catching-up' || entry.state === 'live')) entry.state = 'stopped';
      }
      this.#context.changed();
    }
    if (restart.length > 0 && !this.#stopping) this.#context.restart(restart);
  }

  #anyRunning(): boolean {
    const list = this.#list;
    for (let index = 0; index < list.length; index++) {
      const state = list[index]!.state;
      if (state === 'catching-up' || state === 'live') return true;
    }
    return false;
  }

  #running(): Entry<Event>[] {
    return [...this.#entries].filter((e) => e.state === 'catching-up' || e.state === 'live');
  }

  /**
   * Offers the event to every entry past whose checkpoint it lies, decoding it once. Synchronous while handlers are:
   * returns `undefined` when every handler returned without a promise (the usual case in a rebuild, with handlers
   * built on `update`), so the loop pays no promise and no microtask per event; otherwise a promise that continues with
   * the entries after the one that went asynchronous.
   */
  #apply(event: RecordedEvent, from = 0, decoded?: Decoded): Promise<void> | undefined {
    const list = this.#list;
    const handlers = this.#route(event.type);
    for (let index = from; index < list.length; index++) {
      const entry = list[index]!;
      if (entry.state !== 'catching-up' && entry.state !== 'live') continue;
      const reached = entry.reached ?? entry.committed;
      if (reached !== undefined && !isAfter(event.position, reached)) continue;
      const handler = handlers[index];
      if (handler === undefined) {
        entry.reached = event.position;
        continue;
      }
      decoded ??= this.#decode(event);
      const pending = decoded instanceof DecodeFailure ? this.#poison(entry, event, decoded.error) : this.#handle(entry, handler, decoded, event);
      if (pending !== undefined) {
        const state = decoded;
        return pending.then(() => this.#apply(event, index + 1, state));
      }
    }
    return undefined;
  }

  #decode(event: RecordedEvent): Decoded {
    const result = this.#context.registry.decodeData(event.type, event.metadata.schemaVersion, event.data, event);
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
      this.#applied(entry, event);
      return undefined;
    }
    return Promise.resolve(result)
      .then(() => this.#keepWhenSettled(entry, event))
      .then(undefined, (error: unknown) => this.#discard(entry, event, error));
  }

  /** Keeps the event once every update its handler started has settled, also those whose promise it dropped. */
  #keepWhenSettled(entry: Entry<Event>, event: RecordedEvent): Promise<void> | undefined {
    const updating = entry.unitOfWork.settled();
    if (updating !== undefined) return updating.then(() => this.#keepWhenSettled(entry, event));
    entry.unitOfWork.keepEvent();
    this.#applied(entry, event);
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
      return this.#commitEntry(entry).then(() => this.#fail(entry, new ProjectionFailedError(name, version, event.position, event.type, event.streamId, cause)));
    }
    entry.unitOfWork.recordDeadLetter(toDeadLetter(entry.projection.namespace, event, cause, this.#context.clock()));
    entry.deadLettersRecorded++;
    this.#applied(entry, event);
    return undefined;
  }

  #applied(entry: Entry<Event>, event: RecordedEvent): void {
    entry.reached = event.position;
    entry.applied++;
  }

  /** The handlers of `type`, one per entry of `#list`: one map lookup per event instead of one per entry. */
  #route(type: string): (ProjectionHandler<DomainEvent> | undefined)[] {
    // Runs of one type are common (a registration desk, a vote): compare with the last type before hashing this one.
    if (type === this.#lastType) return this.#lastHandlers;
    let handlers = this.#routes.get(type);
    if (handlers === undefined) {
      handlers = this.#list.map((entry) => handlerOf(entry.projection.handlers, type));
      this.#routes.set(type, handlers);
    }
    this.#lastType = type;
    this.#lastHandlers = handlers;
    return handlers;
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
    if (entry.lease?.lost.aborted) {
      // Another runner may own the namespace now: writing would race it, so the batch is dropped.
      entry.unitOfWork.reset();
      entry.reached = entry.committed;
      return;
    }
    const moved = entry.reached !== undefined && isAfter(entry.reached, entry.committed);
    if (!moved && !entry.unitOfWork.hasChanges) return;
    await entry.unitOfWork.commit(moved ? entry.reached : undefined);
    if (moved) entry.committed = entry.reached;
    entry.conflicts = 0;
    entry.lastCommitAt = Date.now();
    entry.rate.sample(entry.lastCommitAt, entry.applied);
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
      await this.#context.firstCaughtUp(entry);
      entry.ready = true;
    }
    this.#context.changed();
  }

  #fail(entry: Entry<Event>, error: Error): void {
    entry.state = 'failed';
    entry.error = error;
    entry.unitOfWork.reset();
    entry.reached = entry.committed;
    this.#context.changed();
  }

  #releaseLock(): void {
    const release = this.#release;
    this.#release = undefined;
    release?.();
  }
}
