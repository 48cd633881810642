import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import * as E from 'fp-ts/lib/Either.js';
import type { DomainEvent, EventRegistry, EventStore, LogProgress, Position, RecordedEvent } from '@clusterconf/domain';
import { formatPosition, isAfter } from '@clusterconf/domain';
import { fromDeadLetterEvent } from './dead-letter.js';
import type { Entry } from './entry.js';
import { assertOwnNamespace } from './namespace.js';
import { InvalidProjectionError, ProjectionRunnerStateError, ProjectionVersionError, WaitForPositionError } from './errors.js';
import { Lane, type LaneContext, type LaneReport } from './lane.js';
import { defaultRetryPolicy, isRunning, transition, type Lifecycle, type LifecycleEvent, type ProjectionState, type RetryPolicy } from './lifecycle.js';
import { Mutex } from './mutex.js';
import { handlerFor, type Projection } from './projection.js';
import type { ProjectionStatus } from './projection-status.js';
import { RateMeter } from './rate-meter.js';
import type { DeadLetter, ReadModelStore } from './read-model-store.js';
import { silentLogger, type ProjectionLogger } from './runner-logger.js';
import { freezeDocumentsByDefault, UnitOfWork } from './unit-of-work.js';

/** A projection version's change of state, as `onStateChange` receives it. */
export interface ProjectionStateChange {
  readonly name: string;
  readonly version: number;
  readonly namespace: string;
  readonly from: ProjectionState;
  readonly to: ProjectionState;
  /** The state entered, with its details (the error and the next attempt of `retrying`, the reason of `standby`). */
  readonly lifecycle: Lifecycle;
}

/** Options of `createProjectionRunner`. */
export interface ProjectionRunnerOptions<Event extends DomainEvent> {
  readonly eventStore: EventStore;
  readonly readModelStore: ReadModelStore;
  /** Decodes each stored event once, for all projections. */
  readonly registry: EventRegistry<Event>;
  readonly projections: readonly Projection<Event>[];
  /** Messages per batch while catching up; a batch also ends whenever the subscription is caught up. Default 500. */
  readonly batchSize?: number;
  /** Events the subscription reads ahead per page. Default: `batchSize`. */
  readonly pageSize?: number;
  /** Poison events stop the projection (`stop`, the default) or are recorded as dead letters (`record`). */
  readonly deadLetters?: 'stop' | 'record';
  /**
   * While catching up, a projection whose batch changed no document commits only its checkpoint, at most this
   * often (default 1000 ms); it always commits when caught up and on stop.
   */
  readonly checkpointIntervalMs?: number;
  /** Identifies this runner in leases; default `<host>:<pid>:<random>`. */
  readonly owner?: string;
  /**
   * How often the supervisor looks again: a standby projection tries to take over the lease, running ones check that
   * no newer version was activated, lanes that reached the same position merge. Default 1000 ms.
   */
  readonly leaseRetryMs?: number;
  /** Backoff after transient faults; defaults: 250 ms first, doubling, capped at 30 s, never giving up. */
  readonly retry?: Partial<RetryPolicy>;
  /**
   * A projection given in a version older than the active one: `refuse` (the default) makes `start()` reject with
   * `ProjectionVersionError`; `standby` keeps it on standby (it writes nothing and serves nothing) until that version
   * is activated again.
   */
  readonly olderVersion?: 'refuse' | 'standby';
  /** Receives the runner's logs (pino-compatible); default: silent. */
  readonly logger?: ProjectionLogger;
  /** Called on every change of a projection version's state, after it took effect. Must not throw. */
  readonly onStateChange?: (change: ProjectionStateChange) => void;
  /**
   * Deep-freeze every document handlers read or write, so a handler that mutates one fails with a poison event
   * instead of corrupting the batch. Default: on, except when `NODE_ENV` is `production` — the check is a development
   * and test guard (tests run handlers with it on and so catch a mutating handler), and it costs about a sixth of a
   * rebuild. Set it explicitly to keep it on in production, or off anywhere for handlers known to build new objects
   * (the built-in read models do).
   */
  readonly freezeDocuments?: boolean;
  /** The clock for dead letters' `recordedAt`. */
  readonly clock?: () => Date;
  /** Uniform in [0, 1), for the backoff's jitter; default `Math.random`. */
  readonly random?: () => number;
}

/** Options of `waitFor`. */
export interface WaitForOptions {
  /** Default 30 000 ms. */
  readonly timeoutMs?: number;
}

/** What `replayDeadLetters` did. */
export interface ReplayResult {
  /** Dead letters applied successfully and removed. */
  readonly replayed: number;
  /** Dead letters that failed again and stay recorded. */
  readonly remaining: number;
}

/** Runs projections: catch-up, then live; see the package README for its guarantees. */
export interface ProjectionRunner<Event extends DomainEvent = DomainEvent> {
  /**
   * Reconciles versions (refusing one older than the active version), takes leases, loads checkpoints and starts
   * following the log; resolves once started, not once caught up. A store that cannot be reached yet is retried.
   */
  start(): Promise<void>;
  /** Commits the batch in hand of every projection, ends the subscriptions and releases the leases. */
  stop(): Promise<void>;
  /** A snapshot of every projection version in this runner. */
  status(): Promise<ProjectionStatus[]>;
  /**
   * Resolves when every projection readers see through this runner (its serving version, or the version a deploy is
   * building) has been caught up once and committed a checkpoint at or past `position`. `position` may be
   * `undefined` (a command that appended nothing): it resolves once they are caught up.
   */
  waitFor(position: Position | undefined, options?: WaitForOptions): Promise<void>;
  /** Empties the projection's current version and replays it from position zero (readers see it rebuilt). */
  rebuild(projectionName: string): Promise<void>;
  /**
   * Builds `projection` (a new version of a running projection) beside the live one and, once caught up,
   * switches readers to it atomically and retires the old version. Resolves after the switch.
   */
  startBlueGreen(projection: Projection<Event>): Promise<void>;
  /** The dead letters of the projection's serving version, in position order. */
  deadLetters(projectionName: string): Promise<DeadLetter[]>;
  /** Re-applies the dead letters; those that now succeed are removed, in the same transaction as their changes. */
  replayDeadLetters(projectionName: string): Promise<ReplayResult>;
}

interface Waiter {
  readonly check: () => void;
}

/** Creates a runner over one event store and one read-model store. */
export const createProjectionRunner = <Event extends DomainEvent>(options: ProjectionRunnerOptions<Event>): ProjectionRunner<Event> =>
  new Runner(options);

const asError = (error: unknown): Error => (error instanceof Error ? error : new Error(String(error)));

/**
 * The runner is the supervisor of its projection versions: every change of an entry's lifecycle goes through
 * `#transition` (the pure `transition` plus logging, hooks and the retry timer); lanes read the log and report.
 */
class Runner<Event extends DomainEvent> implements ProjectionRunner<Event> {
  readonly #options: ProjectionRunnerOptions<Event>;
  readonly #store: ReadModelStore;
  readonly #owner: string;
  readonly #freezeDocuments: boolean;
  readonly #policy: RetryPolicy;
  readonly #logger: ProjectionLogger;
  readonly #random: () => number;
  readonly #superviseEveryMs: number;
  readonly #context: LaneContext<Event>;
  readonly #entries: Entry<Event>[] = [];
  readonly #lanes = new Set<Lane<Event>>();
  readonly #waiters = new Set<Waiter>();
  readonly #switches = new Map<Entry<Event>, { resolve: () => void; reject: (error: Error) => void }>();
  /** Serialises the operations that reset or move projections (rebuild, replay, merge, supervision), so two never interleave. */
  readonly #control = new Mutex();
  #phase: 'new' | 'running' | 'stopped' = 'new';
  #retryTimer: NodeJS.Timeout | undefined;
  #superviseTimer: NodeJS.Timeout | undefined;

  constructor(options: ProjectionRunnerOptions<Event>) {
    const batchSize = options.batchSize ?? 500;
    if (!Number.isSafeInteger(batchSize) || batchSize < 1) {
      throw new RangeError(`batchSize ${batchSize} is not a positive integer; use for example 500`);
    }
    const seen = new Set<string>();
    for (const projection of options.projections) {
      assertOwnNamespace(projection);
      if (seen.has(projection.name)) {
        throw new InvalidProjectionError(projection.name, 'it is given twice; run one version per runner and use startBlueGreen for the next');
      }
      seen.add(projection.name);
    }
    const policy = { ...defaultRetryPolicy, ...options.retry };
    if (!(policy.initialDelayMs >= 0 && policy.maxDelayMs >= policy.initialDelayMs && policy.maxAttempts >= 1)) {
      throw new RangeError(
        `retry ${JSON.stringify(options.retry)} is not a policy: initialDelayMs ≥ 0, maxDelayMs ≥ initialDelayMs and maxAttempts ≥ 1 are needed`,
      );
    }
    this.#options = options;
    this.#policy = policy;
    this.#store = options.readModelStore;
    this.#logger = options.logger ?? silentLogger;
    this.#random = options.random ?? Math.random;
    this.#superviseEveryMs = options.leaseRetryMs ?? 1000;
    this.#freezeDocuments = options.freezeDocuments ?? freezeDocumentsByDefault();
    this.#owner = options.owner ?? `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`;
    this.#context = {
      eventStore: options.eventStore,
      registry: options.registry,
      batchSize,
      pageSize: options.pageSize ?? batchSize,
      deadLetters: options.deadLetters ?? 'stop',
      checkpointIntervalMs: options.checkpointIntervalMs ?? 1000,
      clock: options.clock ?? (() => new Date()),
      report: (entry, report) => this.#report(entry, report),
      faulted: (entries, error) => this.#faulted(entries, error),
      changed: () => this.#changed(),
      firstCaughtUp: (entry) => this.#firstCaughtUp(entry),
    };
  }

  async start(): Promise<void> {
    if (this.#phase !== 'new') throw new ProjectionRunnerStateError('start the runner', `it is ${this.#phase}; create a new runner`);
    // Refuse a version older than the active one before anything is taken; a store not reachable yet is checked on
    // every attempt to start the projection instead.
    const refused: ProjectionVersionError[] = [];
    for (const projection of this.#options.projections) {
      const active = await this.#store.activeVersion(projection.name).catch(() => undefined);
      if (active !== undefined && active > projection.version && this.#options.olderVersion !== 'standby') {
        refused.push(new ProjectionVersionError(projection.name, projection.version, active));
      }
    }
    if (refused.length > 0) {
      this.#phase = 'stopped';
      throw refused[0]!;
    }
    this.#phase = 'running';
    const entries = this.#options.projections.map((projection) => this.#newEntry(projection, 'serving'));
    await this.#startEntries(entries);
    this.#superviseTimer = setInterval(() => void this.#control.run(() => this.#supervise()), this.#superviseEveryMs);
  }

  async stop(): Promise<void> {
    if (this.#phase === 'stopped') return;
    this.#phase = 'stopped';
    clearInterval(this.#superviseTimer);
    clearTimeout(this.#retryTimer);
    await Promise.all([...this.#lanes].map((lane) => lane.stop()));
    // A copy: a blue/green switch finishing meanwhile takes retired versions out of the list.
    for (const entry of [...this.#entries]) {
      this.#transition(entry, { type: 'stop' });
      await this.#release(entry);
    }
    for (const [entry, pending] of this.#switches) {
      pending.reject(new ProjectionRunnerStateError(`switch to ${entry.projection.namespace}`, 'the runner stopped before it caught up'));
    }
    this.#switches.clear();
    this.#changed();
  }

  async status(): Promise<ProjectionStatus[]> {
    const now = Date.now();
    const progress = new Map<string, Promise<LogProgress | undefined>>();
    const progressAfter = (position: Position | undefined) => {
      const key = position === undefined ? '' : formatPosition(position);
      let pending = progress.get(key);
      if (pending === undefined) {
        const eventStore = this.#options.eventStore;
        pending = (async () => eventStore.progressAfter(position))().catch(() => undefined);
        progress.set(key, pending);
      }
      return pending;
    };
    return Promise.all(
      this.#entries.map(async (entry): Promise<ProjectionStatus> => {
        const { name, version, namespace } = entry.projection;
        const { lifecycle } = entry;
        const log = await progressAfter(entry.committed);
        return {
          name,
          version,
          namespace,
          role: entry.role,
          state: lifecycle.state,
          ...(lifecycle.state === 'standby' ? { standbyReason: lifecycle.reason } : {}),
          ...(lifecycle.state === 'failed' ? { error: lifecycle.error } : {}),
          ...(lifecycle.state === 'retrying'
            ? { error: lifecycle.error, attempt: lifecycle.attempt, nextAttemptAt: new Date(lifecycle.nextAttemptAt).toISOString() }
            : {}),
          position: entry.committed,
          headPosition: log?.head,
          lag: log?.eventsAfter,
          lagIs: log?.eventsAfterIs ?? 'unknown',
          ...(log?.heldBy ? { heldBy: log.heldBy } : {}),
          eventsPerSecond: entry.rate.rate(now, entry.applied),
          deadLettersRecorded: entry.deadLettersRecorded,
          unregisteredTypes: Object.fromEntries(entry.unregisteredTypes),
        };
      }),
    );
  }

  waitFor(position: Position | undefined, options: WaitForOptions = {}): Promise<void> {
    const timeoutMs = options.timeoutMs ?? 30_000;
    const reached = (entry: Entry<Event>) =>
      entry.committed !== undefined ? position === undefined || !isAfter(position, entry.committed) : position === undefined && entry.ready;
    return new Promise<void>((resolve, reject) => {
      const finish = (error?: Error) => {
        clearTimeout(timer);
        clearInterval(poll);
        this.#waiters.delete(waiter);
        if (error) reject(error);
        else resolve();
      };
      const waiter: Waiter = {
        check: () => {
          for (const entry of this.#awaited()) {
            const { lifecycle } = entry;
            // A version still on its first catch-up is not yet what readers see (it may not be activated yet).
            const ready = entry.ready || (lifecycle.state === 'standby' && lifecycle.reason === 'lease-held');
            if (ready && reached(entry)) continue;
            if (lifecycle.state === 'failed') {
              return finish(new WaitForPositionError(position, `projection ${entry.projection.namespace} failed: ${lifecycle.error.message}`, { cause: lifecycle.error }));
            }
            if (lifecycle.state === 'stopped' || this.#phase === 'stopped') {
              return finish(new WaitForPositionError(position, `projection ${entry.projection.namespace} stopped at ${describe(entry.committed)} before reaching it`));
            }
            return;
          }
          finish();
        },
      };
      const timer = setTimeout(() => {
        const behind = this.#awaited()
          .filter((e) => !reached(e) || !e.ready)
          .map((e) => `${e.projection.namespace} ${e.lifecycle.state} at ${describe(e.committed)}${e.lifecycle.state === 'retrying' ? ` (last fault: ${e.lifecycle.error.message})` : ''}`);
        finish(new WaitForPositionError(position, `timed out after ${timeoutMs} ms with ${behind.join(', ')}; check status() for lag and errors`));
      }, timeoutMs);
      // A standby projection is written by another process: follow its checkpoint in the shared store.
      const poll = setInterval(() => void this.#refreshStandby().then(waiter.check, () => undefined), 100);
      this.#waiters.add(waiter);
      waiter.check();
    });
  }

  async rebuild(projectionName: string): Promise<void> {
    await this.#control.run(async () => {
      const entry = this.#serving(projectionName, 'rebuild');
      if (entry.lifecycle.state === 'standby') {
        throw new ProjectionRunnerStateError(`rebuild ${projectionName}`, 'it is on standby (another runner holds its lease, or a newer version is active); rebuild it there');
      }
      // From here on, a lane still being started for the entry (a takeover, a retry) must not go ahead.
      entry.generation++;
      await entry.lane?.remove(entry);
      await this.#store.dropNamespace(entry.projection.namespace);
      Object.assign(entry, { committed: undefined, reached: undefined, caughtUpOnce: false, ready: false });
      this.#transition(entry, { type: 'reset' });
      await this.#startEntries([entry]);
    });
  }

  async startBlueGreen(next: Projection<Event>): Promise<void> {
    assertOwnNamespace(next);
    const current = this.#serving(next.name, 'start a blue/green build');
    if (current.projection.version === next.version) {
      throw new InvalidProjectionError(next.name, `version ${next.version} is already serving; give the new build a new version number`);
    }
    if (this.#entries.some((e) => e.projection.namespace === next.namespace)) {
      throw new InvalidProjectionError(next.name, `version ${next.version} is already being built`);
    }
    for (const type of next.eventTypes) {
      if (!this.#options.registry.has(type)) {
        throw new InvalidProjectionError(next.name, `it handles "${type}", which this runner's registry does not know`);
      }
    }
    const entry = this.#newEntry(next, 'building');
    const switched = new Promise<void>((resolve, reject) => this.#switches.set(entry, { resolve, reject }));
    await this.#startEntries([entry]);
    return switched;
  }

  async deadLetters(projectionName: string): Promise<DeadLetter[]> {
    return this.#store.listDeadLetters(this.#serving(projectionName, 'list dead letters').projection.namespace);
  }

  async replayDeadLetters(projectionName: string): Promise<ReplayResult> {
    const entry = this.#serving(projectionName, 'replay dead letters');
    if (entry.lifecycle.state === 'standby') {
      throw new ProjectionRunnerStateError(`replay dead letters of ${projectionName}`, 'it is on standby (another runner holds its lease); replay them there');
    }
    const replay = async (): Promise<ReplayResult> => {
      const { namespace } = entry.projection;
      const unitOfWork = new UnitOfWork(this.#store, namespace, { freezeDocuments: this.#freezeDocuments });
      let replayed = 0;
      let remaining = 0;
      for (const deadLetter of await this.#store.listDeadLetters(namespace)) {
        const handler = handlerFor(entry.projection, deadLetter.event.type);
        try {
          const stored = fromDeadLetterEvent(deadLetter.event) ?? (await this.#readAgain(deadLetter.event));
          const decoded = this.#options.registry.decode(stored);
          if (E.isLeft(decoded)) throw decoded.left;
          if (handler === undefined) throw new Error(`no handler for "${deadLetter.event.type}"`);
          await handler(decoded.right, unitOfWork.operations);
          await unitOfWork.settled();
          unitOfWork.keepEvent();
          unitOfWork.removeDeadLetter(deadLetter.event.position);
          replayed++;
        } catch {
          unitOfWork.discardEvent();
          remaining++;
        }
      }
      if (replayed > 0) await unitOfWork.commit(undefined, entry.committed);
      // The lane's unit of work caches documents this replay may have changed.
      entry.unitOfWork.reset();
      return { replayed, remaining };
    };
    return this.#control.run(() => (entry.lane ? entry.lane.lock.run(replay) : replay()));
  }

  /** An unreadable row's dead letter keeps no payload: read the row again (it may have been repaired). */
  async #readAgain(event: DeadLetter['event']): Promise<RecordedEvent> {
    for await (const stored of this.#options.eventStore.readStream(event.streamId, { fromRevision: event.streamRevision, maxCount: 1 })) {
      if (stored.streamRevision === event.streamRevision) return stored;
    }
    throw new Error(`stream "${event.streamId}" has no revision ${event.streamRevision} any more`);
  }

  #newEntry(projection: Projection<Event>, role: 'serving' | 'building'): Entry<Event> {
    const entry: Entry<Event> = {
      projection,
      role,
      lifecycle: { state: 'starting', retries: 0 },
      committed: undefined,
      reached: undefined,
      unitOfWork: new UnitOfWork(this.#store, projection.namespace, { freezeDocuments: this.#freezeDocuments }),
      lease: undefined,
      lane: undefined,
      applied: 0,
      deadLettersRecorded: 0,
      unregisteredTypes: new Map(),
      rate: new RateMeter(),
      caughtUpOnce: false,
      ready: false,
      lastCommitAt: 0,
      generation: 0,
    };
    this.#entries.push(entry);
    return entry;
  }

  /** The one place an entry's lifecycle changes: the pure transition, then what entering the new state implies. */
  #transition(entry: Entry<Event>, event: LifecycleEvent): void {
    const from = entry.lifecycle;
    const to = transition(from, event, this.#policy);
    if (to === from) return;
    entry.lifecycle = to;
    if (from.state === to.state && to.state !== 'retrying') return; // a detail changed (retries reset): nothing to tell
    const { name, version, namespace } = entry.projection;
    const fields = { projection: name, version, namespace, from: from.state, to: to.state };
    switch (to.state) {
      case 'retrying':
        this.#logger.warn(
          { ...fields, attempt: to.attempt, nextAttemptAt: new Date(to.nextAttemptAt).toISOString(), err: to.error },
          `projection ${namespace} is retrying after a transient fault: ${to.error.message}`,
        );
        this.#armRetry();
        break;
      case 'failed':
        this.#logger.error({ ...fields, err: to.error }, `projection ${namespace} failed: ${to.error.message}`);
        break;
      case 'standby':
        this.#logger.info({ ...fields, reason: to.reason }, `projection ${namespace} is on standby (${to.reason})`);
        break;
      default:
        this.#logger.info(fields, `projection ${namespace} is ${to.state}`);
    }
    try {
      this.#options.onStateChange?.({ name, version, namespace, from: from.state, to: to.state, lifecycle: to });
    } catch (error) {
      this.#logger.error({ ...fields, err: error }, `onStateChange threw for ${namespace}; it must not`);
    }
    this.#changed();
  }

  #report(entry: Entry<Event>, report: LaneReport): void {
    this.#transition(entry, report);
    if (report.type === 'caughtUp') void this.#control.run(() => this.#mergeLanes());
  }

  /** Transient faults of entries that left their lane: all retry together, with the same delay, so they share a lane again. */
  #faulted(entries: readonly Entry<Event>[], error: Error): void {
    const now = Date.now();
    const random = this.#random();
    for (const entry of entries) {
      entry.generation++;
      this.#transition(entry, { type: 'fault', error, now, random });
    }
  }

  /** Sets the one retry timer for the earliest due attempt. */
  #armRetry(): void {
    clearTimeout(this.#retryTimer);
    if (this.#phase !== 'running') return;
    let due = Number.POSITIVE_INFINITY;
    for (const entry of this.#entries) if (entry.lifecycle.state === 'retrying') due = Math.min(due, entry.lifecycle.nextAttemptAt);
    if (due === Number.POSITIVE_INFINITY) return;
    this.#retryTimer = setTimeout(() => void this.#control.run(() => this.#retryDue()), Math.max(0, due - Date.now()));
  }

  async #retryDue(): Promise<void> {
    if (this.#phase !== 'running') return;
    const now = Date.now();
    const due = this.#entries.filter((entry) => entry.lifecycle.state === 'retrying' && entry.lifecycle.nextAttemptAt <= now + 5);
    for (const entry of due) this.#transition(entry, { type: 'retry' });
    await this.#startEntries(due);
    this.#armRetry();
  }

  /**
   * Brings entries that are `starting` into a lane: for each, the lease (where the store has leases), the active
   * version and the checkpoint; a fault on the way sends it to `retrying`, a lease held elsewhere to `standby`.
   * Resolves once the lane exists, so a caller that awaits it never leaves an entry without a lane that a later
   * `remove` would miss.
   */
  async #startEntries(entries: readonly Entry<Event>[]): Promise<void> {
    const ready: Entry<Event>[] = [];
    for (const entry of entries) {
      if (entry.lifecycle.state !== 'starting' || !this.#entries.includes(entry) || entry.lane !== undefined) continue;
      const generation = entry.generation;
      try {
        if (!(await this.#prepare(entry))) continue;
      } catch (error) {
        if (entry.generation === generation && entry.lifecycle.state === 'starting') this.#faulted([entry], asError(error));
        continue;
      }
      if (entry.generation === generation && entry.lifecycle.state === 'starting' && this.#phase === 'running') ready.push(entry);
    }
    if (ready.length > 0) this.#openLane(ready);
  }

  /** Takes the lease, reconciles the version and loads the checkpoint; false when the entry cannot run now. */
  async #prepare(entry: Entry<Event>): Promise<boolean> {
    if (this.#store.acquireLease !== undefined && (entry.lease === undefined || entry.lease.lost.aborted)) {
      entry.lease = undefined;
      const lease = await this.#store.acquireLease(entry.projection.namespace, this.#owner);
      if (lease === undefined) {
        this.#transition(entry, { type: 'leaseHeld' });
        return false;
      }
      if (this.#phase !== 'running' || !this.#entries.includes(entry)) {
        // Stopped or retired while the lease was being taken: give it back rather than hold it unused.
        await lease.release();
        return false;
      }
      entry.lease = lease;
      lease.lost.addEventListener('abort', () => void this.#leaseLost(entry, lease), { once: true });
    }
    const { name, version } = entry.projection;
    const active = await this.#store.activeVersion(name);
    if (active !== undefined && active > version) {
      await this.#release(entry);
      if (this.#options.olderVersion === 'standby') this.#transition(entry, { type: 'superseded' });
      else this.#transition(entry, { type: 'poison', error: new ProjectionVersionError(name, version, active) });
      return false;
    }
    // Serving is what readers see: the active version, or a first version nobody activated yet. A version newer than
    // the active one is built beside it and switched to when it has caught up (a deploy, or startBlueGreen).
    entry.role = active === undefined || active === version ? 'serving' : 'building';
    entry.committed = await this.#store.loadCheckpoint(entry.projection.namespace);
    entry.reached = entry.committed;
    entry.unitOfWork.reset();
    entry.caughtUpOnce = false;
    entry.ready = false;
    return true;
  }

  #openLane(entries: readonly Entry<Event>[]): void {
    for (const entry of entries) this.#transition(entry, { type: 'started' });
    const lane = new Lane(this.#context, entries);
    this.#lanes.add(lane);
    void lane.done.finally(() => this.#lanes.delete(lane));
  }

  async #leaseLost(entry: Entry<Event>, lease: NonNullable<Entry<Event>['lease']>): Promise<void> {
    if (entry.lease !== lease || this.#phase !== 'running') return;
    // Stop writing at once: from its next commit on, the lane drops the entry's open batch; a lane still being
    // started for it does not go ahead.
    entry.generation++;
    await entry.lane?.remove(entry);
    entry.lease = undefined;
    this.#transition(entry, { type: 'leaseLost' });
  }

  /** Gives the entry's lease back, if it holds one. */
  async #release(entry: Entry<Event>): Promise<void> {
    const lease = entry.lease;
    entry.lease = undefined;
    await lease?.release().catch(() => undefined);
  }

  /**
   * The supervisor's round, every `leaseRetryMs`: standby versions try to take over (or, superseded, see whether
   * their version is active again), running ones step down when a newer version was activated elsewhere (a rolling
   * deploy), and lanes that reached the same position merge.
   */
  async #supervise(): Promise<void> {
    if (this.#phase !== 'running') return;
    const activeVersions = new Map<string, number | undefined>();
    const activeVersion = async (name: string) => {
      if (!activeVersions.has(name)) activeVersions.set(name, await this.#store.activeVersion(name));
      return activeVersions.get(name);
    };
    const takingOver: Entry<Event>[] = [];
    for (const entry of [...this.#entries]) {
      const { lifecycle } = entry;
      const { name, version } = entry.projection;
      try {
        if (lifecycle.state === 'standby' && lifecycle.reason === 'lease-held') {
          takingOver.push(entry);
        } else if (lifecycle.state === 'standby') {
          if ((await activeVersion(name)) === version) takingOver.push(entry);
        } else if (isRunning(lifecycle)) {
          const active = await activeVersion(name);
          if (active !== undefined && active > version) await this.#stepDown(entry, active);
        }
      } catch {
        // The store is unreachable: the lanes meet it too and retry; the next round looks again.
        return;
      }
    }
    for (const entry of takingOver) {
      entry.generation++;
      this.#transition(entry, { type: 'retry' });
    }
    await this.#startEntries(takingOver);
    await this.#mergeLanes();
  }

  /** A newer version became active elsewhere: stop writing this one, whose readers have moved on. */
  async #stepDown(entry: Entry<Event>, active: number): Promise<void> {
    const { name, version, namespace } = entry.projection;
    entry.generation++;
    await entry.lane?.remove(entry);
    await this.#release(entry);
    this.#logger.warn({ projection: name, version, namespace, activeVersion: active }, `projection ${namespace} steps down: v${active} is active`);
    this.#transition(entry, { type: 'superseded' });
  }

  /**
   * One read of the log for all projections: once every lane is caught up (nothing in hand, at the head), lanes
   * started apart (a rebuild, a takeover, a retry, a blue/green build) are closed and their projections continue in
   * one lane, from their committed checkpoints, which lie at or near the head.
   */
  async #mergeLanes(): Promise<void> {
    const lanes = [...this.#lanes];
    if (this.#phase !== 'running' || lanes.length < 2 || !lanes.every((lane) => lane.isCaughtUp)) return;
    await Promise.all(lanes.map((lane) => lane.stop()));
    const entries = lanes.flatMap((lane) => lane.entries).filter((entry) => isRunning(entry.lifecycle) && entry.lane === undefined);
    if (entries.length > 0 && this.#phase === 'running') this.#openLane(entries);
  }

  /** Activates a first version nobody activated yet, or completes a switch to a version built beside the active one. */
  async #firstCaughtUp(entry: Entry<Event>): Promise<void> {
    const { name, version } = entry.projection;
    if (entry.role === 'serving') {
      if ((await this.#store.activeVersion(name)) === undefined) await this.#store.activate(name, version);
      return;
    }
    const active = await this.#store.activeVersion(name);
    // A newer version was activated meanwhile: the supervisor steps this one down.
    if (active !== undefined && active > version) return;
    await this.#store.activate(name, version);
    entry.role = 'serving';
    this.#logger.info({ projection: name, version, namespace: entry.projection.namespace, previousVersion: active }, `readers of ${name} switched to v${version}`);
    for (const old of this.#entries.filter((e) => e !== entry && e.projection.name === name)) {
      old.generation++;
      await old.lane?.remove(old);
      await this.#release(old);
      this.#transition(old, { type: 'stop' });
      this.#entries.splice(this.#entries.indexOf(old), 1);
    }
    this.#switches.get(entry)?.resolve();
    this.#switches.delete(entry);
  }

  /** The entries `waitFor` waits for: per projection its serving version, or else the version a deploy builds. */
  #awaited(): Entry<Event>[] {
    const serving = new Set(this.#entries.filter((e) => e.role === 'serving').map((e) => e.projection.name));
    return this.#entries.filter((e) => {
      if (e.lifecycle.state === 'standby' && e.lifecycle.reason === 'superseded') return false;
      return e.role === 'serving' || !serving.has(e.projection.name);
    });
  }

  #serving(projectionName: string, operation: string): Entry<Event> {
    const entry =
      this.#entries.find((e) => e.projection.name === projectionName && e.role === 'serving') ??
      this.#entries.find((e) => e.projection.name === projectionName);
    if (entry === undefined) {
      const known = this.#entries.map((e) => e.projection.name).join(', ') || 'none';
      throw new ProjectionRunnerStateError(`${operation} for "${projectionName}"`, `this runner does not serve it (serving: ${known})`);
    }
    return entry;
  }

  async #refreshStandby(): Promise<void> {
    for (const entry of this.#entries) {
      if (entry.lifecycle.state !== 'standby' || entry.lifecycle.reason !== 'lease-held') continue;
      const committed = await this.#store.loadCheckpoint(entry.projection.namespace);
      // It may have taken over meanwhile; then its own commits are newer than what was read.
      if (entry.lifecycle.state === 'standby') entry.committed = committed;
    }
  }

  #changed(): void {
    for (const waiter of [...this.#waiters]) waiter.check();
    for (const [entry, pending] of this.#switches) {
      if (entry.lifecycle.state === 'failed') {
        pending.reject(entry.lifecycle.error);
        this.#switches.delete(entry);
      }
    }
  }
}

const describe = (position: Position | undefined): string => (position === undefined ? 'the start' : formatPosition(position));
