import type {
  AppendCondition,
  AppendOptions,
  AppendResult,
  EventStore,
  LogProgress,
  NewEvent,
  Position,
  Query,
  QueryReadOptions,
  ReadAllOptions,
  ReadStreamOptions,
  RecordedEvent,
  SubscribeOptions,
  Subscription,
} from '@clusterconf/domain';
import {
  DEFAULT_MAX_EVENT_BYTES,
  isAfter,
  matchesFilter,
  prepareAppend,
  StoreClosedError,
  StreamDeletedError,
  StreamNotFoundError,
  WrongExpectedRevisionError,
} from '@clusterconf/domain';
import { pagedEvents, STOP } from '../../shared/paged-events.js';
import { readStreamWindow } from '../../shared/read-stream-window.js';
import {
  appendPrecondition,
  type ClientFlavour,
  type ClientPosition,
  type ClientRecordedEvent,
  type ClientResolvedEvent,
  type EventStoreDBClientLike,
} from '../client/client-seam.js';
import { assertClientPackage, type ClientPackage, clientPackageFor, inSchemeOf } from '../client/client-package.js';
import { assertConnectionString, connectionStringParseError, endpointOf } from '../client/connection-string.js';
import { type ClientClass, clientFrom, importClientClass, requireClientClass } from '../client/load-client.js';
import { EXACT_COUNT_LIMIT } from '../../shared/estimated-count.js';
import { AppendPositionUnknownError } from './append-position-unknown-error.js';
import { assertAppendSize, DEFAULT_MAX_APPEND_BYTES } from './append-size.js';
import { type ClientCallContext, mapClientError } from './map-client-error.js';
import { dcbNotSupported, failingIterable } from './dcb-not-supported.js';
import { countEventsAfter } from './events-after.js';
import { isSystemEvent, toEventData, toRecordedEvent } from './recorded-event.js';
import { EventStoreDBSubscription, type ReconnectPolicy } from './eventstoredb-subscription.js';

/** Options of `EventStoreDBEventStore`. */
export interface EventStoreDBEventStoreOptions {
  /** Refuse events whose serialised data plus metadata exceed this many bytes before sending; default 1 MiB. */
  readonly maxEventBytes?: number;
  /**
   * Refuse appends whose whole size (every event's data, metadata as sent, and type, counted as EventStoreDB counts
   * them) exceeds this many bytes, before sending. Set it to the server's `--max-append-size`; default 1,048,576.
   */
  readonly maxAppendBytes?: number;
  /** How subscriptions re-subscribe after a dropped connection. */
  readonly reconnect?: ReconnectPolicy;
  /**
   * Which package opens a connection string; by default its scheme decides: `esdb://` and `esdb+discover://`
   * @eventstore/db-client, `kurrentdb://`, `kurrent://`, `kdb://` (and `+discover`) @kurrent/kurrentdb-client.
   * Either package opens either scheme (the adapter rewrites the scheme to the package's own). Ignored for a client
   * handed in.
   */
  readonly clientPackage?: ClientPackage;
  /** Ignored, kept for compatibility: the precondition is sent under both clients' option names. */
  readonly clientFlavour?: ClientFlavour;
  /** How errors name the server when a client instance was handed in (a connection string names itself). */
  readonly endpoint?: string;
}

/** How many events `readAll` fetches per round trip unless told otherwise. */
const DEFAULT_PAGE_SIZE = 500;
/** How many events `readStream` fetches per round trip. */
const STREAM_PAGE_SIZE = 1_000;

/** Checks a connection string and picks the package that opens it, before anything is loaded. */
const prepareConnection = (connection: unknown, chosen: unknown) => {
  const connectionString = assertConnectionString(connection);
  const clientPackage = clientPackageFor(connectionString, assertClientPackage(chosen));
  return { connectionString, clientPackage, endpoint: endpointOf(connectionString) };
};

/** A client of `clientClass` for a prepared connection string, with parse errors masked. */
const openClient = (clientClass: ClientClass, prepared: ReturnType<typeof prepareConnection>): EventStoreDBClientLike =>
  clientFrom(clientClass, inSchemeOf(prepared.clientPackage, prepared.connectionString), (cause) => connectionStringParseError(prepared.connectionString, cause));

/** Clients that `connect` created: the store owns them and disposes them on close(). */
const ownedClients = new WeakSet<EventStoreDBClientLike>();

/**
 * The EventStore port over EventStoreDB's (and KurrentDB's) gRPC client. Open it from a connection string with
 * `EventStoreDBEventStore.connect(url)` or the constructor (validated before connecting; the store then owns and
 * disposes the client): `esdb://` opens @eventstore/db-client 6.x, `kurrentdb://` @kurrent/kurrentdb-client 1.x, each
 * loaded only then. Or hand in a client instance of either package (the caller keeps ownership).
 * Positions are EventStoreDB's own `{commit, prepare}`; system events (`$`-prefixed types) are never returned.
 * It does not offer Dynamic Consistency Boundaries (`capabilities.dcb` is false): `read` and `append` refuse with
 * `DcbNotSupportedError` (see `dcbNotSupported` for why). Tags are stored, in the event's custom metadata.
 */
export class EventStoreDBEventStore implements EventStore {
  readonly capabilities = { dcb: false } as const;
  readonly #client: EventStoreDBClientLike;
  readonly #ownsClient: boolean;
  readonly #endpoint: string;
  readonly #maxEventBytes: number;
  readonly #maxAppendBytes: number;
  readonly #reconnect: ReconnectPolicy;
  readonly #subscriptions = new Set<Subscription>();
  #closed = false;

  /**
   * Opens a store from a connection string, loading the client package its scheme (or `options.clientPackage`) names
   * by dynamic import; a missing package is a ClientPackageUnavailableError naming what to install. A client instance
   * is used as the constructor uses it. Nothing connects until the first call.
   */
  static async connect(connection: string | EventStoreDBClientLike, options: EventStoreDBEventStoreOptions = {}): Promise<EventStoreDBEventStore> {
    if (typeof connection === 'object' && connection !== null) return new EventStoreDBEventStore(connection, options);
    const prepared = prepareConnection(connection, options.clientPackage);
    const client = openClient(await importClientClass(prepared.clientPackage, prepared.endpoint), prepared);
    ownedClients.add(client);
    return new EventStoreDBEventStore(client, { ...options, endpoint: prepared.endpoint });
  }

  /**
   * A store over a client handed in, or over one the store opens from a connection string (the package is loaded
   * synchronously here; `connect` loads it by dynamic import).
   */
  constructor(connection: string | EventStoreDBClientLike, options: EventStoreDBEventStoreOptions = {}) {
    if (typeof connection === 'object' && connection !== null) {
      this.#client = connection;
      this.#ownsClient = ownedClients.has(connection);
      this.#endpoint = options.endpoint ?? 'the EventStoreDB server of the client handed in';
    } else {
      const prepared = prepareConnection(connection, options.clientPackage);
      this.#client = openClient(requireClientClass(prepared.clientPackage, prepared.endpoint), prepared);
      this.#ownsClient = true;
      this.#endpoint = prepared.endpoint;
    }
    this.#maxEventBytes = options.maxEventBytes ?? DEFAULT_MAX_EVENT_BYTES;
    this.#maxAppendBytes = options.maxAppendBytes ?? DEFAULT_MAX_APPEND_BYTES;
    this.#reconnect = options.reconnect ?? {};
  }

  async appendToStream(streamId: string, events: readonly NewEvent[], options: AppendOptions = {}): Promise<AppendResult> {
    this.#assertOpen();
    const { expectedRevision: expected, events: serialized } = prepareAppend(streamId, events, options, this.#maxEventBytes);
    // The shape both clients' jsonEvent() returns, built here so that neither package has to be loaded for it.
    const eventData = events.map(toEventData);
    assertAppendSize(streamId, serialized, eventData, this.#maxAppendBytes);
    let result: { readonly nextExpectedRevision: bigint; readonly position?: ClientPosition };
    try {
      result = await this.#client.appendToStream(streamId, eventData as never, appendPrecondition(expected));
    } catch (error) {
      const mapped = this.#mapped(error, {
        operation: 'append',
        streamId,
        expected,
        eventIds: events.map((event) => event.metadata.eventId),
        eventTypes: events.map((event) => event.type),
      });
      // EventStoreDB refuses 'stream_exists' on a soft-deleted stream as stream-deleted, though such a stream reads as
      // missing and can be written again: only a tombstoned one is deleted for good.
      if (mapped instanceof StreamDeletedError && expected === 'stream_exists' && !(await this.#isTombstoned(streamId))) {
        throw new WrongExpectedRevisionError(streamId, expected, undefined);
      }
      throw mapped;
    }
    // EventStoreDB answers a retry it recognised without a position when it cannot tell it (20.10, or an event not
    // yet indexed): the position is that of the event at the returned revision, so it is read back from there.
    const position = result.position ?? (await this.#positionAt(streamId, result.nextExpectedRevision));
    return { nextExpectedRevision: result.nextExpectedRevision, position };
  }

  /** The position of the event at `revision`, for an idempotent append answered without one. */
  async #positionAt(streamId: string, revision: bigint): Promise<Position> {
    let event: ClientRecordedEvent | undefined;
    try {
      [event] = await this.#readStreamPage(streamId, true, revision, 1);
    } catch (error) {
      throw new AppendPositionUnknownError(streamId, revision, error instanceof Error ? error.message : String(error), { cause: error });
    }
    if (event?.revision !== revision || !event.position) {
      throw new AppendPositionUnknownError(streamId, revision, `the stream has no readable event at revision ${revision} (truncated or deleted since)`);
    }
    return { commit: event.position.commit, prepare: event.position.prepare };
  }

  /** True unless a read shows the stream is only soft-deleted (not found); when in doubt, true. */
  async #isTombstoned(streamId: string): Promise<boolean> {
    try {
      await this.#readStreamPage(streamId, false, 'start', 1);
      return false;
    } catch (error) {
      return !(error instanceof StreamNotFoundError);
    }
  }

  /**
   * Reads the stream in pages, each read to its end before any of it is yielded: a consumer that stops early then
   * never leaves a half-read gRPC call behind (a paused call never ends, and the client's dispose() waits for it).
   * The next page is read while this one is consumed, to its end as well.
   */
  readStream(streamId: string, options: ReadStreamOptions = {}): AsyncIterable<RecordedEvent> {
    this.#assertOpen();
    // Validates fromRevision and maxCount the way every adapter does, before the round trip.
    readStreamWindow(0n, options);
    const backwards = options.direction === 'backwards';
    let remaining = Math.floor(options.maxCount ?? Number.POSITIVE_INFINITY);
    // A zero count still asks the server for one event, so a missing stream is reported as missing.
    const pageSize = (left: number) => Math.max(1, Math.min(left, STREAM_PAGE_SIZE));
    let requested = pageSize(remaining);
    return pagedEvents<ClientRecordedEvent>({
      first: () => this.#readStreamPage(streamId, backwards, options.fromRevision ?? (backwards ? 'end' : 'start'), requested),
      next: (page) => {
        const last = page[page.length - 1];
        // This page is not consumed yet: the next request counts from what it will yield (system events it skips).
        let yielded = 0;
        for (const event of page) if (!isSystemEvent(event)) yielded++;
        const left = remaining - yielded;
        if (left <= 0 || !last || page.length < requested || (backwards && last.revision === 0n)) return undefined;
        requested = pageSize(left);
        return this.#readStreamPage(streamId, backwards, backwards ? last.revision - 1n : last.revision + 1n, requested);
      },
      take: (event) => {
        if (isSystemEvent(event)) return undefined;
        if (remaining <= 0) return STOP;
        remaining--;
        return toRecordedEvent(event);
      },
    });
  }

  async #readStreamPage(streamId: string, backwards: boolean, from: bigint | 'start' | 'end', count: number): Promise<ClientRecordedEvent[]> {
    const read = this.#client.readStream(streamId, { direction: backwards ? 'backwards' : 'forwards', fromRevision: from, maxCount: count });
    const events: ClientRecordedEvent[] = [];
    try {
      for await (const resolved of read as AsyncIterable<ClientResolvedEvent>) if (resolved.event) events.push(resolved.event);
    } catch (error) {
      throw this.#mapped(error, { operation: 'read', streamId });
    }
    return events;
  }

  async *readAll(options: ReadAllOptions = {}): AsyncIterable<RecordedEvent> {
    this.#assertOpen();
    const pageSize = Math.max(1, options.pageSize ?? DEFAULT_PAGE_SIZE);
    let remaining = options.maxCount ?? Number.POSITIVE_INFINITY;
    let cursor = options.after;
    while (remaining > 0) {
      // EventStoreDB reads $all from a position inclusively; the port's `after` is exclusive, so the event at the
      // cursor comes back first and is skipped, and one extra is asked for to keep pages full.
      const requested = cursor === undefined ? pageSize : pageSize + 1;
      const page = await this.#readAllPage(cursor, requested, 'forwards');
      let progressed = false;
      for (const event of page) {
        if (!event.position || !isAfter(event.position, cursor)) continue;
        cursor = event.position;
        progressed = true;
        if (isSystemEvent(event) || !matchesFilter(options.filter, event.streamId, event.type)) continue;
        remaining--;
        yield toRecordedEvent(event);
        if (remaining <= 0) return;
      }
      if (!progressed || page.length < requested) return;
    }
  }

  async #readAllPage(from: Position | undefined, count: number, direction: 'forwards' | 'backwards'): Promise<ClientRecordedEvent[]> {
    const events: ClientRecordedEvent[] = [];
    for await (const event of this.#readAllEvents(from, count, direction)) events.push(event);
    return events;
  }

  /** One read of `$all`, event by event, with the client's errors mapped; system events included. */
  async *#readAllEvents(from: Position | undefined, count: number, direction: 'forwards' | 'backwards'): AsyncIterable<ClientRecordedEvent> {
    const read = this.#client.readAll({ fromPosition: from ?? (direction === 'forwards' ? 'start' : 'end'), maxCount: count, direction });
    try {
      for await (const resolved of read as AsyncIterable<ClientResolvedEvent>) if (resolved.event) yield resolved.event;
    } catch (error) {
      throw this.#mapped(error, { operation: 'read', streamId: '$all' });
    }
  }

  async headPosition(): Promise<Position | undefined> {
    this.#assertOpen();
    let cursor: Position | undefined;
    // Reads $all backwards past any trailing system events (deletes, metadata) to the last user event.
    for (;;) {
      const page = await this.#readAllPage(cursor, 32, 'backwards');
      const user = page.find((event) => !isSystemEvent(event));
      if (user) return user.position;
      const last = page[page.length - 1];
      if (!last?.position || page.length < 32) return undefined;
      cursor = last.position;
    }
  }

  /**
   * Counts by reading `$all` forwards from `after`, up to `EXACT_COUNT_LIMIT` events; a consumer further behind gets an
   * estimate from the byte distance to the head (see `countEventsAfter`). The head is read first, so the count never
   * includes events appended after it.
   */
  async progressAfter(after: Position | undefined): Promise<LogProgress> {
    this.#assertOpen();
    const head = await this.headPosition();
    if (head === undefined || !isAfter(head, after)) return { head, eventsAfter: 0, eventsAfterIs: 'exact' };
    // The read starts at `after` inclusively, so one more event is asked for to count up to the limit past it.
    const requested = after === undefined ? EXACT_COUNT_LIMIT : EXACT_COUNT_LIMIT + 1;
    return { head, ...(await countEventsAfter(this.#readAllEvents(after, requested, 'forwards'), requested, after, head)) };
  }

  subscribe(options: SubscribeOptions = {}): Subscription {
    this.#assertOpen();
    const subscription = new EventStoreDBSubscription(
      {
        client: this.#client,
        endpoint: this.#endpoint,
        reconnect: this.#reconnect,
        onClose: (closed) => this.#subscriptions.delete(closed),
        readLogEnd: async () => (await this.#readAllPage(undefined, 1, 'backwards'))[0]?.position,
      },
      options,
    );
    this.#subscriptions.add(subscription);
    return subscription;
  }

  /** Refused with `DcbNotSupportedError` on the first `next()`: EventStoreDB cannot select events by a query across streams atomically with appends. */
  read(_query: Query, _options?: QueryReadOptions): AsyncIterable<RecordedEvent> {
    return failingIterable(() => dcbNotSupported(this.#endpoint));
  }

  /** Refused with `DcbNotSupportedError`, writing nothing: EventStoreDB has no conditional append across streams. */
  async append(_streamId: string, _events: readonly NewEvent[], _condition?: AppendCondition): Promise<AppendResult> {
    throw dcbNotSupported(this.#endpoint);
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    // grpc-js unrefs its sockets, so while the client waits for cancelled calls to finish nothing else may keep the
    // process alive: a top-level `await store.close()` would then never settle (Node exits with code 13).
    const keepAlive = setInterval(() => undefined, 1_000);
    try {
      await Promise.all([...this.#subscriptions].map((subscription) => subscription.close()));
      if (this.#ownsClient) await this.#client.dispose();
    } finally {
      clearInterval(keepAlive);
    }
  }

  #mapped(error: unknown, context: Omit<ClientCallContext, 'endpoint'>): unknown {
    return mapClientError(error, { ...context, endpoint: this.#endpoint });
  }

  #assertOpen(): void {
    if (this.#closed) throw new StoreClosedError('This EventStoreDBEventStore');
  }
}
