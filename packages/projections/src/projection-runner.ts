import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import * as E from 'fp-ts/lib/Either.js';
import type { DomainEvent, EventRegistry, EventStore, Position } from '@clusterconf/domain';
import { formatPosition, isAfter } from '@clusterconf/domain';
import { fromDeadLetterEvent } from './dead-letter.js';
import { InvalidProjectionError, ProjectionRunnerStateError, WaitForPositionError } from './errors.js';
import { isRunning, Lane, type Entry, type LaneContext } from './lane.js';
import { Mutex } from './mutex.js';
import { handlerFor, type Projection } from './projection.js';
import type { ProjectionStatus } from './projection-status.js';
import { RateMeter } from './rate-meter.js';
import type { DeadLetter, ReadModelStore } from './read-model-store.js';
import { freezeDocumentsByDefault, UnitOfWork } from './unit-of-work.js';

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
  /** How often a standby projection tries to take over the lease. Default 1000 ms. */
  readonly leaseRetryMs?: number;
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
  /** Takes leases, loads checkpoints and starts following the log; resolves once started, not once caught up. */
  start(): Promise<void>;
  /** Commits the batch in hand of every projection, ends the subscriptions and releases the leases. */
  stop(): Promise<void>;
  /** A snapshot of every projection version in this runner. */
  status(): Promise<ProjectionStatus[]>;
  /** Resolves when every serving projection has been caught up once and committed a checkpoint at or past `position`. */
  waitFor(position: Position, options?: WaitForOptions): Promise<void>;
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

class Runner<Event extends DomainEvent> implements ProjectionRunner<Event> {
  readonly #options: ProjectionRunnerOptions<Event>;
  readonly #store: ReadModelStore;
  readonly #owner: string;
  readonly #freezeDocuments: boolean;
  readonly #context: LaneContext<Event>;
  readonly #entries: Entry<Event>[] = [];
  readonly #lanes = new Set<Lane<Event>>();
  readonly #waiters = new Set<Waiter>();
  readonly #switches = new Map<Entry<Event>, { resolve: () => void; reject: (error: Error) => void }>();
  readonly #standbyAbort = new AbortController();
  /** Serialises the operations that reset a projection (rebuild, dead-letter replay), so two never interleave. */
  readonly #control = new Mutex();
  #phase: 'new' | 'running' | 'stopped' = 'new';

  constructor(options: ProjectionRunnerOptions<Event>) {
    const batchSize = options.batchSize ?? 500;
    if (!Number.isSafeInteger(batchSize) || batchSize < 1) {
      throw new RangeError(`batchSize ${batchSize} is not a positive integer; use for example 500`);
    }
    const seen = new Set<string>();
    for (const projection of options.projections) {
      if (seen.has(projection.name)) {
        throw new InvalidProjectionError(projection.name, 'it is given twice; run one version per runner and use startBlueGreen for the next');
      }
      seen.add(projection.name);
    }
    this.#options = options;
    this.#store = options.readModelStore;
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
      changed: () => this.#changed(),
      restart: (entries) => {
        if (this.#phase === 'running') void this.#startLane(entries.filter((entry) => this.#entries.includes(entry)));
      },
      firstCaughtUp: (entry) => this.#firstCaughtUp(entry),
    };
  }

  async start(): Promise<void> {
    if (this.#phase !== 'new') throw new ProjectionRunnerStateError('start the runner', `it is ${this.#phase}; create a new runner`);
    this.#phase = 'running';
    const leased: Entry<Event>[] = [];
    for (const projection of this.#options.projections) {
      const entry = this.#newEntry(projection, 'serving');
      if (await this.#takeLease(entry)) leased.push(entry);
      else this.#standBy(entry);
    }
    await this.#startLane(leased);
  }

  async stop(): Promise<void> {
    if (this.#phase === 'stopped') return;
    this.#phase = 'stopped';
    this.#standbyAbort.abort();
    await Promise.all([...this.#lanes].map((lane) => lane.stop()));
    // A copy: a blue/green switch finishing meanwhile takes retired versions out of the list.
    for (const entry of [...this.#entries]) {
      if (entry.state !== 'failed') entry.state = 'stopped';
      await entry.lease?.release();
      entry.lease = undefined;
    }
    for (const [entry, pending] of this.#switches) {
      pending.reject(new ProjectionRunnerStateError(`switch to ${entry.projection.namespace}`, 'the runner stopped before it caught up'));
    }
    this.#switches.clear();
    this.#changed();
  }

  async status(): Promise<ProjectionStatus[]> {
    const head = await this.#options.eventStore.headPosition();
    const now = Date.now();
    return this.#entries.map((entry) => {
      const { name, version, namespace } = entry.projection;
      const position = entry.committed;
      const lag = head === undefined ? 0 : Math.max(0, Number(head.prepare - (position?.prepare ?? 0n)));
      return {
        name,
        version,
        namespace,
        role: entry.role,
        state: entry.state,
        position,
        headPosition: head,
        lag,
        eventsPerSecond: entry.rate.rate(now, entry.applied),
        deadLettersRecorded: entry.deadLettersRecorded,
        ...(entry.error ? { error: entry.error } : {}),
      };
    });
  }

  waitFor(position: Position, options: WaitForOptions = {}): Promise<void> {
    const timeoutMs = options.timeoutMs ?? 30_000;
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
          const serving = this.#entries.filter((e) => e.role === 'serving');
          for (const entry of serving) {
            // A version still on its first catch-up is not yet what readers see (it may not be activated yet).
            const ready = entry.ready || entry.state === 'standby';
            const reached = ready && entry.committed !== undefined && !isAfter(position, entry.committed);
            if (reached) continue;
            if (entry.state === 'failed') {
              return finish(new WaitForPositionError(position, `projection ${entry.projection.namespace} failed: ${entry.error?.message}`, { cause: entry.error }));
            }
            if (entry.state === 'stopped' || this.#phase === 'stopped') {
              return finish(new WaitForPositionError(position, `projection ${entry.projection.namespace} stopped at ${describe(entry.committed)} before reaching it`));
            }
            return;
          }
          finish();
        },
      };
      const timer = setTimeout(() => {
        const behind = this.#entries
          .filter((e) => e.role === 'serving' && (e.committed === undefined || isAfter(position, e.committed)))
          .map((e) => `${e.projection.namespace} at ${describe(e.committed)}`);
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
      if (entry.state === 'standby') {
        throw new ProjectionRunnerStateError(`rebuild ${projectionName}`, 'another runner holds its lease; rebuild it there, or stop that runner first');
      }
      // From here on, a lane still being started for the entry (a takeover, a conflict restart) must not go ahead.
      entry.generation++;
      await entry.lane?.remove(entry);
      await this.#store.dropNamespace(entry.projection.namespace);
      Object.assign(entry, { committed: undefined, reached: undefined, state: 'catching-up', error: undefined, caughtUpOnce: false, ready: false });
      await this.#startLane([entry]);
    });
  }

  async startBlueGreen(next: Projection<Event>): Promise<void> {
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
    if (await this.#takeLease(entry)) await this.#startLane([entry]);
    else this.#standBy(entry);
    return switched;
  }

  async deadLetters(projectionName: string): Promise<DeadLetter[]> {
    return this.#store.listDeadLetters(this.#serving(projectionName, 'list dead letters').projection.namespace);
  }

  async replayDeadLetters(projectionName: string): Promise<ReplayResult> {
    const entry = this.#serving(projectionName, 'replay dead letters');
    if (entry.state === 'standby') {
      throw new ProjectionRunnerStateError(`replay dead letters of ${projectionName}`, 'another runner holds its lease; replay them there');
    }
    const replay = async (): Promise<ReplayResult> => {
      const { namespace } = entry.projection;
      const unitOfWork = new UnitOfWork(this.#store, namespace, { freezeDocuments: this.#freezeDocuments });
      let replayed = 0;
      let remaining = 0;
      for (const deadLetter of await this.#store.listDeadLetters(namespace)) {
        const decoded = this.#options.registry.decode(fromDeadLetterEvent(deadLetter.event));
        const handler = handlerFor(entry.projection, deadLetter.event.type);
        try {
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

  #newEntry(projection: Projection<Event>, role: 'serving' | 'building'): Entry<Event> {
    const entry: Entry<Event> = {
      projection,
      role,
      state: 'catching-up',
      error: undefined,
      committed: undefined,
      reached: undefined,
      unitOfWork: new UnitOfWork(this.#store, projection.namespace, { freezeDocuments: this.#freezeDocuments }),
      lease: undefined,
      lane: undefined,
      applied: 0,
      deadLettersRecorded: 0,
      rate: new RateMeter(),
      caughtUpOnce: false,
      ready: false,
      conflicts: 0,
      lastCommitAt: 0,
      generation: 0,
    };
    this.#entries.push(entry);
    return entry;
  }

  /** Takes the entry's lease when the store has leases; true when this runner may write the namespace. */
  async #takeLease(entry: Entry<Event>): Promise<boolean> {
    if (this.#store.acquireLease === undefined) return true;
    const lease = await this.#store.acquireLease(entry.projection.namespace, this.#owner);
    if (lease === undefined) return false;
    if (this.#phase !== 'running') {
      // Stopped while the lease was being taken: give it back rather than hold it unused.
      await lease.release();
      return false;
    }
    entry.lease = lease;
    lease.lost.addEventListener('abort', () => void this.#leaseLost(entry, lease), { once: true });
    return true;
  }

  async #leaseLost(entry: Entry<Event>, lease: NonNullable<Entry<Event>['lease']>): Promise<void> {
    if (entry.lease !== lease || this.#phase !== 'running') return;
    // Stop writing at once: from its next event on, the lane neither applies events to the entry nor commits its open
    // batch, which `remove` then drops; and a lane still being started for it does not go ahead.
    if (entry.state !== 'failed') entry.state = 'standby';
    entry.generation++;
    await entry.lane?.remove(entry);
    entry.lease = undefined;
    if (entry.state !== 'failed') this.#standBy(entry);
  }

  /** Waits for the lease in the background, following the holder's checkpoint, then takes over. */
  #standBy(entry: Entry<Event>): void {
    entry.state = 'standby';
    this.#changed();
    const signal = this.#standbyAbort.signal;
    const retryMs = this.#options.leaseRetryMs ?? 1000;
    void (async () => {
      while (!signal.aborted) {
        await sleep(retryMs, signal);
        if (signal.aborted || !this.#entries.includes(entry)) return;
        try {
          entry.committed = await this.#store.loadCheckpoint(entry.projection.namespace);
          if (await this.#takeLease(entry)) {
            if (!this.#entries.includes(entry)) {
              // Retired (its blue/green successor took over) while the lease was being taken.
              await entry.lease?.release();
              entry.lease = undefined;
              return;
            }
            // Reload under the lease: the previous holder may have committed after the read above.
            entry.committed = await this.#store.loadCheckpoint(entry.projection.namespace);
            entry.reached = entry.committed;
            entry.state = 'catching-up';
            entry.caughtUpOnce = false;
            entry.ready = false;
            entry.generation++;
            void this.#startLane([entry]);
            return;
          }
        } catch (error) {
          entry.state = 'failed';
          entry.error = error instanceof Error ? error : new Error(String(error));
          this.#changed();
          return;
        }
      }
    })();
  }

  /**
   * Loads the entries' checkpoints and gives them a lane. Resolves once the lane exists, so that a caller that awaits
   * it (start, rebuild) never leaves an entry without a lane that a later `remove` would miss.
   */
  #startLane(entries: Entry<Event>[]): Promise<void> {
    const starting = entries.filter((entry) => this.#mayStart(entry)).map((entry) => ({ entry, generation: entry.generation }));
    if (starting.length === 0) return Promise.resolve();
    return (async () => {
      const checkpoints: (Position | undefined)[] = [];
      try {
        for (const { entry } of starting) checkpoints.push(await this.#store.loadCheckpoint(entry.projection.namespace));
      } catch (error) {
        for (const { entry, generation } of starting) {
          if (entry.generation !== generation || !this.#mayStart(entry)) continue;
          entry.state = 'failed';
          entry.error = error instanceof Error ? error : new Error(String(error));
        }
        this.#changed();
        return;
      }
      if (this.#phase !== 'running') return;
      // Only the entries that nothing reset (rebuild, lease lost) or started in a lane of its own while this one loaded.
      const lane: Entry<Event>[] = [];
      starting.forEach(({ entry, generation }, index) => {
        if (entry.generation !== generation || !this.#mayStart(entry)) return;
        entry.unitOfWork.reset();
        entry.committed = checkpoints[index];
        entry.reached = entry.committed;
        lane.push(entry);
      });
      if (lane.length === 0) return;
      const started = new Lane(this.#context, lane);
      this.#lanes.add(started);
      void started.done.finally(() => this.#lanes.delete(started));
    })();
  }

  /** Whether a lane may be started for the entry: it is this runner's, running, in no lane, and leased where leases exist. */
  #mayStart(entry: Entry<Event>): boolean {
    const leased = this.#store.acquireLease === undefined || (entry.lease !== undefined && !entry.lease.lost.aborted);
    return this.#entries.includes(entry) && isRunning(entry) && entry.lane === undefined && leased;
  }

  /** Activates a first version nobody activated yet, or completes a blue/green switch. */
  async #firstCaughtUp(entry: Entry<Event>): Promise<void> {
    const { name, version } = entry.projection;
    if (entry.role === 'serving') {
      if ((await this.#store.activeVersion(name)) === undefined) await this.#store.activate(name, version);
      return;
    }
    await this.#store.activate(name, version);
    entry.role = 'serving';
    for (const old of this.#entries.filter((e) => e !== entry && e.projection.name === name)) {
      await old.lane?.remove(old);
      await old.lease?.release();
      old.lease = undefined;
      this.#entries.splice(this.#entries.indexOf(old), 1);
    }
    this.#switches.get(entry)?.resolve();
    this.#switches.delete(entry);
  }

  #serving(projectionName: string, operation: string): Entry<Event> {
    const entry = this.#entries.find((e) => e.projection.name === projectionName && e.role === 'serving');
    if (entry === undefined) {
      const known = this.#entries.map((e) => e.projection.name).join(', ') || 'none';
      throw new ProjectionRunnerStateError(`${operation} for "${projectionName}"`, `this runner does not serve it (serving: ${known})`);
    }
    return entry;
  }

  async #refreshStandby(): Promise<void> {
    for (const entry of this.#entries) {
      if (entry.state !== 'standby') continue;
      const committed = await this.#store.loadCheckpoint(entry.projection.namespace);
      // It may have taken over meanwhile; then its own commits are newer than what was read.
      if (entry.state === 'standby') entry.committed = committed;
    }
  }

  #changed(): void {
    for (const waiter of [...this.#waiters]) waiter.check();
    for (const [entry, pending] of this.#switches) {
      if (entry.state === 'failed') {
        pending.reject(entry.error ?? new Error(`${entry.projection.namespace} failed`));
        this.#switches.delete(entry);
      }
    }
  }
}

const describe = (position: Position | undefined): string => (position === undefined ? 'the start' : formatPosition(position));

const sleep = (ms: number, signal: AbortSignal): Promise<void> =>
  new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    signal.addEventListener('abort', done, { once: true });
    function done() {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    }
  });
