import type {
  AppendCondition,
  AppendOptions,
  AppendResult,
  DcbEventStore,
  EventStore,
  LogProgress,
  NewEvent,
  Position,
  Query,
  QueryReadOptions,
  ReadAllOptions,
  ReadStreamOptions,
  RecordedEvent,
  SerializedEvent,
  SubscribeOptions,
  Subscription,
} from '@clusterconf/domain';
import {
  AppendConditionFailedError,
  DEFAULT_MAX_EVENT_BYTES,
  isAfter,
  matchesFilter,
  matchesQuery,
  prepareAppend,
  prepareConditionalAppend,
  prepareQueryRead,
  replayedAppend,
  satisfiesExpectedRevision,
  sequencePosition,
  StoreClosedError,
  StreamNotFoundError,
  WrongExpectedRevisionError,
} from '@clusterconf/domain';
import { catchUpSubscription, type LogPage, type LogSource } from '../shared/catch-up-subscription.js';
import { readStreamWindow } from '../shared/read-stream-window.js';

/** Options of `MemoryEventStore`. */
export interface MemoryEventStoreOptions {
  /** Refuse events whose serialised data plus metadata exceed this many bytes; default 1 MiB. */
  readonly maxEventBytes?: number;
}

/**
 * An event store held in process memory, with the full semantics of the port and of `DcbEventStore`: for tests,
 * prototypes and short-lived tools. Events are stored as parsed copies of their JSON, so what is read back is exactly
 * what a durable store would return, and callers cannot mutate stored events. Every append runs to its end without
 * awaiting anything, so a condition's check and its write are atomic against every other append.
 */
export class MemoryEventStore implements EventStore, DcbEventStore, LogSource {
  readonly capabilities = { dcb: true } as const;
  readonly #log: RecordedEvent[] = [];
  readonly #streams = new Map<string, RecordedEvent[]>();
  readonly #byEventId = new Map<string, RecordedEvent>();
  readonly #waiters = new Set<() => void>();
  readonly #subscriptions = new Set<Subscription>();
  readonly #maxEventBytes: number;
  #closed = false;

  constructor(options: MemoryEventStoreOptions = {}) {
    this.#maxEventBytes = options.maxEventBytes ?? DEFAULT_MAX_EVENT_BYTES;
  }

  async appendToStream(streamId: string, events: readonly NewEvent[], options: AppendOptions = {}): Promise<AppendResult> {
    this.#assertOpen();
    const { expectedRevision: expected, events: serialized } = prepareAppend(streamId, events, options, this.#maxEventBytes);
    const stream = this.#streams.get(streamId);
    const current = stream === undefined ? undefined : BigInt(stream.length - 1);
    // Replay comes before the expectation: a retry of a stored append succeeds whatever the stream holds now.
    const replay = this.#replayOf(streamId, serialized);
    if (replay) return replay;
    if (!satisfiesExpectedRevision(expected, current)) throw new WrongExpectedRevisionError(streamId, expected, current);
    return this.#write(streamId, serialized);
  }

  async append(streamId: string, events: readonly NewEvent[], condition?: AppendCondition): Promise<AppendResult> {
    this.#assertOpen();
    const { condition: checked, events: serialized } = prepareConditionalAppend(streamId, events, condition, this.#maxEventBytes);
    // Replay comes before the condition, which a stored retry's own events would match.
    const replay = this.#replayOf(streamId, serialized);
    if (replay) return replay;
    if (checked !== undefined) {
      const conflict = this.#firstMatchAfter(checked.failIfEventsMatch, checked.after);
      if (conflict !== undefined) throw new AppendConditionFailedError(streamId, checked, conflict.position);
    }
    return this.#write(streamId, serialized);
  }

  async *read(query: Query, options?: QueryReadOptions): AsyncIterable<RecordedEvent> {
    this.#assertOpen();
    const { query: checked, after, limit } = prepareQueryRead(query, options);
    let remaining = limit;
    for (let index = this.#startIndex(after); index < this.#log.length && remaining > 0; index++) {
      const event = this.#log[index]!;
      if (!matchesQuery(checked, event.type, event.tags)) continue;
      remaining--;
      yield event;
    }
  }

  /** The original result when these events are already stored; throws when their ids are stored elsewhere. */
  #replayOf(streamId: string, serialized: readonly SerializedEvent[]): AppendResult | undefined {
    return replayedAppend(
      streamId,
      serialized,
      serialized.map((e) => {
        const stored = this.#byEventId.get(e.eventId);
        return stored && { eventId: e.eventId, type: stored.type, streamId: stored.streamId, streamRevision: stored.streamRevision, position: stored.position };
      }),
    );
  }

  /** The first stored event after `after` that matches `query`. */
  #firstMatchAfter(query: Query, after: Position | undefined): RecordedEvent | undefined {
    for (let index = this.#startIndex(after); index < this.#log.length; index++) {
      const event = this.#log[index]!;
      if (matchesQuery(query, event.type, event.tags)) return event;
    }
    return undefined;
  }

  /** Appends checked events at the end of their stream and wakes the subscriptions. */
  #write(streamId: string, serialized: readonly SerializedEvent[]): AppendResult {
    const stream = this.#streams.get(streamId) ?? [];
    for (const event of serialized) {
      const recorded: RecordedEvent = {
        streamId,
        streamRevision: BigInt(stream.length),
        position: sequencePosition(BigInt(this.#log.length + 1)),
        type: event.type,
        data: JSON.parse(event.data),
        metadata: JSON.parse(event.metadata),
        tags: event.tags,
      };
      stream.push(recorded);
      this.#log.push(recorded);
      this.#byEventId.set(event.eventId, recorded);
    }
    this.#streams.set(streamId, stream);
    for (const wake of [...this.#waiters]) wake();
    const last = stream[stream.length - 1]!;
    return { nextExpectedRevision: last.streamRevision, position: last.position };
  }

  async *readStream(streamId: string, options: ReadStreamOptions = {}): AsyncIterable<RecordedEvent> {
    this.#assertOpen();
    const stream = this.#streams.get(streamId);
    if (!stream) throw new StreamNotFoundError(streamId);
    const window = readStreamWindow(BigInt(stream.length - 1), options);
    for (let revision = window.from; window.includes(revision); revision += window.step) {
      yield stream[Number(revision)]!;
    }
  }

  async *readAll(options: ReadAllOptions = {}): AsyncIterable<RecordedEvent> {
    this.#assertOpen();
    let remaining = options.maxCount ?? Number.POSITIVE_INFINITY;
    for (let index = this.#startIndex(options.after); index < this.#log.length && remaining > 0; index++) {
      const event = this.#log[index]!;
      if (!matchesFilter(options.filter, event.streamId, event.type)) continue;
      remaining--;
      yield event;
    }
  }

  async headPosition(): Promise<Position | undefined> {
    this.#assertOpen();
    return this.#log[this.#log.length - 1]?.position;
  }

  /** Always exact: the log is an array, so the events after a position are its length minus the position's index. */
  async progressAfter(after: Position | undefined): Promise<LogProgress> {
    this.#assertOpen();
    return {
      head: this.#log[this.#log.length - 1]?.position,
      eventsAfter: Math.max(0, this.#log.length - this.#startIndex(after)),
      eventsAfterIs: 'exact',
    };
  }

  subscribe(options: SubscribeOptions = {}): Subscription {
    this.#assertOpen();
    const subscription = catchUpSubscription(this, options, (closed) => this.#subscriptions.delete(closed));
    this.#subscriptions.add(subscription);
    return subscription;
  }

  async readPage(after: Position | undefined, limit: number, filter: SubscribeOptions['filter']): Promise<LogPage> {
    const start = this.#startIndex(after);
    const scanned = this.#log.slice(start, start + limit);
    return {
      events: scanned.filter((event) => matchesFilter(filter, event.streamId, event.type)),
      scannedUpTo: scanned[scanned.length - 1]?.position,
      full: scanned.length === limit,
    };
  }

  waitForEventsAfter(after: Position | undefined, signal: AbortSignal): Promise<void> {
    return new Promise((resolve) => {
      const head = this.#log[this.#log.length - 1]?.position;
      if (signal.aborted || (head !== undefined && isAfter(head, after))) return resolve();
      const wake = () => {
        this.#waiters.delete(wake);
        signal.removeEventListener('abort', wake);
        resolve();
      };
      this.#waiters.add(wake);
      signal.addEventListener('abort', wake, { once: true });
    });
  }

  async close(): Promise<void> {
    this.#closed = true;
    await Promise.all([...this.#subscriptions].map((subscription) => subscription.close()));
  }

  /** Positions are 1-based indexes into the log, so the event after position n sits at index n. */
  #startIndex(after: Position | undefined): number {
    return after === undefined ? 0 : Number(after.commit);
  }

  #assertOpen(): void {
    if (this.#closed) throw new StoreClosedError('This MemoryEventStore');
  }
}
