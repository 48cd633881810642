import type pg from 'pg';
import type {
  AppendOptions,
  AppendResult,
  CorruptEventError,
  EventFilter,
  EventStore,
  LogProgress,
  NewEvent,
  Position,
  ReadAllOptions,
  ReadStreamOptions,
  RecordedEvent,
  SerializedEvent,
  StoredEventPlace,
  SubscribeOptions,
  Subscription,
  UnreadableEvent,
} from '@clusterconf/domain';
import {
  DEFAULT_MAX_EVENT_BYTES,
  NoEventStoreError,
  replayedAppend,
  isAfter,
  serializeEvents,
  StoreClosedError,
  StoreUnavailableError,
  StreamNotFoundError,
  WrongExpectedRevisionError,
} from '@clusterconf/domain';
import { catchUpSubscription, delay, type LogPage, type LogSource } from '../../shared/catch-up-subscription.js';
import { readStreamWindow, type StreamWindow } from '../../shared/read-stream-window.js';
import { eventIdCollisionError, isEventIdCollision } from './append-failure.js';
import { connectionFailure, describeEndpoint, isConnectionError } from './connection-errors.js';
import { COLUMN, decodeEventRow, EVENT_COLUMNS, type EventRow, rowPosition } from './event-rows.js';
import { EXACT_COUNT_LIMIT } from '../../shared/estimated-count.js';
import { logProgressOf, progressStatement, type ProgressRow } from './log-progress.js';
import { LOG_FILTER_SHAPES, logFilter, logFilterCondition, type LogFilter, type LogFilterShape } from './log-filter.js';
import { migrate } from './migrations.js';
import { NotificationListener } from './notification-listener.js';
import { AppendNotifier } from './append-notifier.js';
import { pagedEvents, STOP } from '../../shared/paged-events.js';
import { quoteSchema } from './schema-name.js';
import { assertTransactionIdsBehindServer } from './transaction-id-guard.js';
import { storePool, type PoolOptions } from '../pool.js';

/** Options of `PostgresEventStore.open`. */
export interface PostgresEventStoreOptions extends PoolOptions {
  /** The schema holding the tables; created and migrated on open. Default `clusterconf`. */
  readonly schema?: string;
  /**
   * Open only a schema that already holds an event store; a missing schema (a mistyped name) is `NoEventStoreError`
   * and nothing is created. For tools that only read. Default false.
   */
  readonly existingOnly?: boolean;
  /** Refuse events whose serialised data plus metadata exceed this many bytes; default 1 MiB. */
  readonly maxEventBytes?: number;
  /** Subscriptions re-read at least this often even without a notification; default 500 ms. */
  readonly pollIntervalMs?: number;
  /** Rows per round trip of `readAll` and `readStream` when the call gives none; default 1000. */
  readonly pageSize?: number;
  /**
   * How long `readAll`, `headPosition` and subscription reads, on reaching the end of the ordered log, wait for events
   * that committed before the read (from any writer) to enter the global order while an older transaction holds it
   * back; afterwards they return what is ordered so far, and subscriptions pick up the rest later. Pages of history
   * that is already ordered never wait. Default 5000 ms.
   */
  readonly orderingWaitMs?: number;
}

/** What `append_events` returns; see the migration. */
interface AppendRow {
  readonly outcome: 'appended' | 'conflict';
  readonly stream_revision: string | null;
  readonly commit_id: string | null;
  readonly seq: string | null;
}

/** An already stored event, as the idempotency lookup returns it. */
interface StoredRow {
  readonly stream_id: string;
  readonly stream_revision: string;
  readonly commit_id: string;
  readonly seq: string;
  readonly type: string;
  readonly event_id: string;
}

const FROM_START = { commit: 0n, prepare: 0n };
const MAX_REVISION = 2n ** 63n - 1n;
const MAX_APPEND_ATTEMPTS = 3;
const READ_RETRIES = 6;
/** How long `close()` lets the notification of the last appends finish before dropping the connection it is on. */
const CLOSE_FLUSH_MS = 500;

/** A row of the checked log read: the event's columns (null on the one row of an empty page), then the ordering. */
type CheckedRow = [...(EventRow | [null, null, null, null, null, null, null]), newest: string, bound: string];
const NEWEST = 7;
const BOUND = 8;

/** A row of the filtered log read: a checked row, then the last visible row after the reader's position (or nulls). */
type FilteredRow = [...CheckedRow, scannedCommit: string | null, scannedSeq: string | null];
const SCANNED_COMMIT = 9;
const SCANNED_SEQ = 10;

/** The rows a reader takes, and the last position its read certainly scanned, matching or not. */
interface ReaderPage {
  readonly rows: EventRow[];
  readonly scannedUpTo: Position | undefined;
}

/** A filtered read, with the ordering state of its snapshot: the newest stored transaction id and the bound. */
interface FilteredPage extends ReaderPage {
  readonly newest: bigint;
  readonly bound: bigint;
}

/**
 * The event store on PostgreSQL.
 *
 * Global order. A sequence number is handed out before commit, so rows can become visible out of sequence order and a
 * reader trusting `seq > checkpoint` could skip one that commits late. Each row therefore also stores the id of the
 * transaction that wrote it, and a position is `{ commit: transaction id, prepare: seq }`, ordered by both. Readers
 * only return rows whose transaction id is below `pg_snapshot_xmin(pg_current_snapshot())`: every transaction below
 * that bound has finished (committed rows are visible to the same statement, aborted ones never will be), and any
 * transaction still running or yet to start has an id at or above it. So once a reader has passed a position, no row
 * can later appear before it: nothing is skipped, and keyset paging `(transaction_id, seq) > checkpoint` repeats
 * nothing. The trade-off: any long transaction in the cluster that holds an id (even one unrelated to this store)
 * holds the bound back, which delays delivery to readers until it ends; it never reorders or drops events.
 * `progressAfter` counts the committed rows held back that way and names the transaction holding them.
 * `readStream` is not bounded this way, so a writer always reads its own writes. `readAll`, `headPosition` and
 * subscriptions give read-your-writes on the log too: a page that comes back short is the end of the ordered log, so
 * there the store checks, in the same snapshot, whether any stored row is still held back (newest stored transaction
 * id at or above the bound), and only then waits (up to `orderingWaitMs`) for the rows committed before the read to
 * be ordered, and reads again. Full pages of ordered history never wait, however long an unrelated transaction runs.
 *
 * Filters. Event-type and stream-prefix filters of `readAll` and subscriptions run in the database, so only matching
 * rows cross the network. A filtered subscription still moves its checkpoint over the rows it does not want: a short
 * filtered page reports as scanned the last visible row after its start, read in the same snapshot (see
 * `#filteredLog` for why no event can later appear before it).
 *
 * Copies. Positions are the server's transaction ids, so a logical copy of the database (pg_dump and restore,
 * logical replication into another cluster) restarts them lower than the stored ones; `open` refuses such a schema
 * (`TransactionIdsAheadError`). Physical copies (replicas, pg_basebackup, pg_upgrade) keep them.
 *
 * Wake-ups. Subscribers of this store are woken in process right after an append; other processes learn of appends
 * through LISTEN on one connection per store (see `AppendNotifier` for why NOTIFY is sent after commit), with a poll
 * every `pollIntervalMs` for rows released when an unrelated transaction ends. A dropped listening connection is
 * reconnected with backoff; subscribers re-read from their own positions, so nothing is lost or repeated.
 */
export class PostgresEventStore implements EventStore, LogSource<EventRow> {
  readonly #pool: pg.Pool;
  readonly #ownsPool: boolean;
  readonly #schema: string;
  readonly #listener: NotificationListener;
  readonly #notifier: AppendNotifier;
  readonly #maxEventBytes: number;
  readonly #pollIntervalMs: number;
  readonly #pageSize: number;
  readonly #orderingWaitMs: number;
  readonly #sql: ReturnType<typeof statements>;
  readonly #subscriptions = new Set<Subscription>();
  /** Aborted by `close()`, which ends ordering waits and retry pauses at once. */
  readonly #closing = new AbortController();
  #closed = false;

  private constructor(fields: {
    pool: pg.Pool;
    ownsPool: boolean;
    schema: string;
    listener: NotificationListener;
    options: PostgresEventStoreOptions;
  }) {
    this.#pool = fields.pool;
    this.#ownsPool = fields.ownsPool;
    this.#schema = fields.schema;
    this.#listener = fields.listener;
    this.#notifier = new AppendNotifier(fields.listener, fields.schema);
    this.#maxEventBytes = fields.options.maxEventBytes ?? DEFAULT_MAX_EVENT_BYTES;
    this.#pollIntervalMs = fields.options.pollIntervalMs ?? 500;
    this.#pageSize = fields.options.pageSize ?? 1000;
    this.#orderingWaitMs = fields.options.orderingWaitMs ?? 5000;
    this.#sql = statements(fields.schema);
  }

  /**
   * Connects, creates or migrates the schema, and starts listening for appends. Throws `StoreUnavailableError`
   * (endpoint named, password masked) when the server cannot be reached, `SchemaVersionError` when the schema is
   * newer than this code, and `TransactionIdsAheadError` when its events come from a logical copy of another cluster.
   */
  static async open(options: PostgresEventStoreOptions = {}): Promise<PostgresEventStore> {
    const schema = options.schema ?? 'clusterconf';
    const quoted = quoteSchema(schema);
    const { pool, ownsPool, endpoint } = storePool(options);
    const listener = new NotificationListener({
      client: { ...pool.options, application_name: `clusterconf-listen:${schema}` },
      channel: schema,
    });
    try {
      const client = await pool.connect();
      try {
        if (options.existingOnly === true) {
          const found = await client.query<{ events: string | null }>('select to_regclass($1) as events', [`${quoted}.events`]);
          if ((found.rows[0]?.events ?? null) === null) {
            throw new NoEventStoreError(`${describeEndpoint(endpoint)} schema "${schema}"`,
              'it has no events table; check the schema name (?schema=), or create the store by writing to it first');
          }
        }
        await migrate(client, schema, quoted);
        await assertTransactionIdsBehindServer(client, schema, quoted);
      } finally {
        client.release();
      }
      await listener.start();
    } catch (error) {
      await listener.close();
      if (ownsPool) await pool.end().catch(() => undefined);
      throw error instanceof NoEventStoreError ? error : connectionFailure(error, endpoint);
    }
    return new PostgresEventStore({ pool, ownsPool, schema, listener, options });
  }

  /** The endpoint this store talks to, password masked. */
  get endpoint(): string {
    return describeEndpoint(this.#pool.options);
  }

  async appendToStream(streamId: string, events: readonly NewEvent[], options: AppendOptions = {}): Promise<AppendResult> {
    this.#assertOpen();
    const serialized = serializeEvents(streamId, events, this.#maxEventBytes);
    const expected = options.expectedRevision ?? 'any';
    const values = [
      streamId,
      typeof expected === 'bigint' ? expected.toString() : expected,
      serialized.map((e) => e.eventId),
      serialized.map((e) => e.type),
      serialized.map((e) => e.data),
      serialized.map((e) => e.metadata),
    ];
    for (let attempt = 1; ; attempt++) {
      try {
        const result = await this.#pool.query<AppendRow>({ name: `cc-append:${this.#schema}`, text: this.#sql.append, values });
        const row = result.rows[0]!;
        if (row.outcome === 'conflict') {
          // Replay comes before the expectation, as in MemoryEventStore: a retry of a stored append succeeds.
          const replay = await this.#replayOf(streamId, serialized);
          if (replay) return replay;
          throw new WrongExpectedRevisionError(streamId, expected, row.stream_revision === null ? undefined : BigInt(row.stream_revision));
        }
        this.#listener.wakeLocal();
        this.#notifier.notify();
        return { nextExpectedRevision: BigInt(row.stream_revision!), position: { commit: BigInt(row.commit_id!), prepare: BigInt(row.seq!) } };
      } catch (error) {
        const { code } = error as { code?: string };
        if (isEventIdCollision(error)) {
          // Ids already stored: a retry of that append (answered with its result) or a clash (InvalidEventError).
          if (code === '23505') {
            const replay = await this.#replayOf(streamId, serialized);
            if (replay) return replay;
          }
          // A deadlock, or a row that is gone again: the other append has ended by now, so a retry settles it.
          if (attempt < MAX_APPEND_ATTEMPTS) continue;
          throw eventIdCollisionError(streamId, serialized, error);
        }
        // A stream's first appends meet on the (stream_id, stream_revision) key rather than on the stream lock; the
        // retry sees the winner's row and checks the expectation against it.
        if (code === '23505' && attempt < MAX_APPEND_ATTEMPTS) continue;
        // Whether a commit whose connection broke went through is unknown; retrying with the same eventIds is safe.
        throw isConnectionError(error) ? connectionFailure(error, this.#pool.options) : error;
      }
    }
  }

  /** The original result when these events are already stored; throws when their ids are stored elsewhere. */
  async #replayOf(streamId: string, serialized: readonly SerializedEvent[]): Promise<AppendResult | undefined> {
    const result = await this.#reached(this.#pool.query<StoredRow>({
      name: `cc-stored:${this.#schema}`,
      text: this.#sql.stored,
      values: [serialized.map((e) => e.eventId)],
    }));
    return replayedAppend(streamId, serialized, storedPlaces(serialized, result.rows));
  }

  readStream(streamId: string, options: ReadStreamOptions = {}): AsyncIterable<RecordedEvent> {
    let window: StreamWindow;
    let pageSize: bigint;
    let cursor: bigint;
    const fetch = async (): Promise<EventRow[]> => {
      const end = cursor + window.step * (pageSize - 1n);
      const to = end > MAX_REVISION ? MAX_REVISION : end;
      const [low, high] = window.step === 1n ? [cursor, to] : [to, cursor];
      cursor += window.step * pageSize;
      const result = await this.#reached(this.#pool.query<EventRow>({
        rowMode: 'array',
        name: `cc-stream-${window.step === 1n ? 'fwd' : 'bwd'}:${this.#schema}`,
        text: window.step === 1n ? this.#sql.streamForwards : this.#sql.streamBackwards,
        values: [streamId, low.toString(), high.toString()],
      }));
      return result.rows;
    };
    const streamHead = async (): Promise<bigint | undefined> => {
      const head = await this.#reached(this.#pool.query<{ revision: string }>({
        name: `cc-stream-head:${this.#schema}`,
        text: this.#sql.streamHead,
        values: [streamId],
      }));
      const last = head.rows[0]?.revision;
      return last === undefined ? undefined : BigInt(last);
    };
    return pagedEvents<EventRow>({
      first: async () => {
        this.#assertOpen();
        pageSize = BigInt(Math.max(1, Math.min(this.#pageSize, Math.floor(options.maxCount ?? Number.POSITIVE_INFINITY))));
        // Reading forwards from a known revision needs no head: the first short page is the end. That saves a round
        // trip on the common rehydration read; the head is asked only to tell a missing stream from an empty window.
        if (options.direction !== 'backwards' && options.fromRevision !== 'end') {
          window = readStreamWindow(MAX_REVISION, options);
          cursor = window.from;
          const rows = window.includes(cursor) ? await fetch() : [];
          if (rows.length === 0 && (await streamHead()) === undefined) throw new StreamNotFoundError(streamId);
          return rows;
        }
        const last = await streamHead();
        if (last === undefined) throw new StreamNotFoundError(streamId);
        window = readStreamWindow(last, options);
        cursor = window.from;
        return window.includes(cursor) ? fetch() : [];
      },
      // Revisions have no gaps, so a page shorter than its range is the end of the stream.
      next: (page) => (BigInt(page.length) === pageSize && window.includes(cursor) ? fetch() : undefined),
      // Checked before decoding, so a corrupt row outside the requested window is never touched.
      take: (row) => (window.includes(BigInt(row[COLUMN.revision])) ? decodeEventRow(row) : STOP),
    });
  }

  readAll(options: ReadAllOptions = {}): AsyncIterable<RecordedEvent> {
    let remaining = options.maxCount ?? Number.POSITIVE_INFINITY;
    const pageSize = options.pageSize ?? this.#pageSize;
    const filter = logFilter(options.filter);
    // The filter runs in the database, so every page holds only matching rows and a full one means more may follow.
    const read = async (after: Position | undefined): Promise<EventRow[]> =>
      filter === undefined ? this.#readerRows(after, pageSize) : (await this.#filteredReaderPage(after, pageSize, filter)).rows;
    return pagedEvents<EventRow>({
      first: async () => {
        this.#assertOpen();
        if (remaining <= 0) return [];
        return read(options.after);
      },
      next: (page) => (page.length === pageSize && remaining > 0 ? read(rowPosition(page[page.length - 1]!)) : undefined),
      take: (row) => {
        if (remaining <= 0) return STOP;
        remaining--;
        return decodeEventRow(row);
      },
    });
  }

  async headPosition(): Promise<Position | undefined> {
    this.#assertOpen();
    // The head and whether anything is held back, in one snapshot: the wait is only for a head that is behind.
    const result = await this.#reached(this.#pool.query<{ commit_id: string | null; seq: string | null; newest: string; bound: string }>({
      name: `cc-head-checked:${this.#schema}`,
      text: this.#sql.headChecked,
    }));
    const { commit_id, seq, newest, bound } = result.rows[0]!;
    if (BigInt(newest) >= BigInt(bound) && (await this.#awaitOrdering(BigInt(newest)))) return this.#orderedHead();
    return commit_id === null || seq === null ? undefined : { commit: BigInt(commit_id), prepare: BigInt(seq) };
  }

  /** The last ordered position as it stands, without waiting for rows still held back. */
  async #orderedHead(): Promise<Position | undefined> {
    const result = await this.#reached(this.#pool.query<{ commit_id: string; seq: string }>({
      name: `cc-head:${this.#schema}`,
      text: this.#sql.head,
    }));
    const row = result.rows[0];
    return row === undefined ? undefined : { commit: BigInt(row.commit_id), prepare: BigInt(row.seq) };
  }

  /**
   * One statement, so one snapshot: the head readers reach now (never waited for), the committed events after `after`
   * in log order, held back or not, and the transaction holding them back when there is one. See `progressStatement`.
   */
  async progressAfter(after: Position | undefined): Promise<LogProgress> {
    this.#assertOpen();
    const from = after ?? FROM_START;
    const result = await this.#reached(this.#pool.query<ProgressRow>({
      name: `cc-progress:${this.#schema}`,
      text: this.#sql.progress,
      values: [from.commit.toString(), from.prepare.toString(), EXACT_COUNT_LIMIT],
    }));
    return logProgressOf(result.rows[0]!, after);
  }

  subscribe(options: SubscribeOptions = {}): Subscription {
    this.#assertOpen();
    const subscription = catchUpSubscription(this, options, (closed) => this.#subscriptions.delete(closed));
    this.#subscriptions.add(subscription);
    return subscription;
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.#closing.abort();
    await Promise.all([...this.#subscriptions].map((subscription) => subscription.close()));
    // The notification of the last appends goes out if the connection answers soon. One that cannot is dropped with
    // the connection below rather than waited for: other processes then find those appends at their next poll.
    await this.#notifier.flush(CLOSE_FLUSH_MS);
    await this.#listener.close();
    if (this.#ownsPool) await this.#pool.end();
  }

  /** A query's result, with a server that cannot be reached (or a pool without a free connection) reported as such. */
  async #reached<T>(query: Promise<T>): Promise<T> {
    try {
      return await query;
    } catch (error) {
      throw isConnectionError(error) ? connectionFailure(error, this.#pool.options) : error;
    }
  }

  /** The ordered rows after `after`, as they stand. */
  async #logRows(after: Position | undefined, limit: number): Promise<EventRow[]> {
    const from = after ?? FROM_START;
    const result = await this.#reached(this.#pool.query<EventRow>({
      rowMode: 'array',
      name: `cc-log:${this.#schema}`,
      text: this.#sql.log,
      values: [from.commit.toString(), from.prepare.toString(), limit],
    }));
    return result.rows;
  }

  /**
   * The ordered rows after `after` for a reader that must see what committed before it read (read-your-writes). A full
   * page is returned as read: the log goes on, and the reader's last page is short. A short page is read again
   * together with the newest stored transaction id and the ordering bound, in one snapshot; when nothing is held back
   * that page is complete. Otherwise the rows committed before that read are waited for (up to `orderingWaitMs`, or
   * until the store closes or `signal` aborts) and the page read once more.
   */
  async #readerRows(after: Position | undefined, limit: number, signal: AbortSignal = this.#closing.signal): Promise<EventRow[]> {
    const rows = await this.#logRows(after, limit);
    if (rows.length === limit) return rows;
    const from = after ?? FROM_START;
    const checked = await this.#reached(this.#pool.query<CheckedRow>({
      rowMode: 'array',
      name: `cc-log-checked:${this.#schema}`,
      text: this.#sql.logChecked,
      values: [from.commit.toString(), from.prepare.toString(), limit],
    }));
    const first = checked.rows[0]!;
    const page = pageRows(checked.rows);
    const newest = BigInt(first[NEWEST]);
    if (newest < BigInt(first[BOUND]) || !(await this.#awaitOrdering(newest, signal))) return page;
    return this.#logRows(after, limit);
  }

  /**
   * The rows after `after` that pass `filter` (all rows without one), for a reader that must see what committed before
   * it read; see `#readerRows` and `#filteredReaderPage`.
   */
  async #readerPage(after: Position | undefined, limit: number, filter: LogFilter | undefined, signal: AbortSignal): Promise<ReaderPage> {
    if (filter !== undefined) return this.#filteredReaderPage(after, limit, filter, signal);
    const rows = await this.#readerRows(after, limit, signal);
    // Unfiltered, every row scanned is returned, so the last one is as far as the read got.
    const last = rows[rows.length - 1];
    return { rows, scannedUpTo: last === undefined ? undefined : rowPosition(last) };
  }

  /**
   * The matching rows after `after`, filtered in the database, for a reader that must see what committed before it
   * read. Page, ordering state and scanned position come from one statement, so from one snapshot. A full page is
   * returned as read. A short one is the end of the ordered log: when rows are held back behind the bound, the rows
   * committed before the read are waited for as in `#readerRows`, and the page is read once more.
   */
  async #filteredReaderPage(after: Position | undefined, limit: number, filter: LogFilter, signal: AbortSignal = this.#closing.signal): Promise<FilteredPage> {
    const page = await this.#filteredLog(after, limit, filter);
    if (page.rows.length === limit || page.newest < page.bound || !(await this.#awaitOrdering(page.newest, signal))) return page;
    return this.#filteredLog(after, limit, filter);
  }

  /**
   * One filtered read: up to `limit` matching ordered rows after `after`, and how far it scanned. A full page scanned
   * up to its last row and no further (the rows past it were not looked at). A short page scanned every visible row
   * after `after`, so it reports the last of them, matching or not, from the same snapshot: every row before that one
   * belongs to a transaction below the bound, which had ended when the snapshot was taken, so no row can ever appear
   * between `after` and it. That lets a filtered subscription move its checkpoint over events it does not want.
   */
  async #filteredLog(after: Position | undefined, limit: number, filter: LogFilter): Promise<FilteredPage> {
    const from = after ?? FROM_START;
    const result = await this.#reached(this.#pool.query<FilteredRow>({
      rowMode: 'array',
      name: `cc-log-filtered-${filter.shape}:${this.#schema}`,
      text: this.#sql.filteredLog[filter.shape],
      values: [from.commit.toString(), from.prepare.toString(), limit, ...filter.values],
    }));
    const first = result.rows[0]!;
    const rows = pageRows(result.rows);
    const scannedCommit = first[SCANNED_COMMIT];
    const scannedSeq = first[SCANNED_SEQ];
    const scannedUpTo =
      rows.length === limit ? rowPosition(rows[rows.length - 1]!)
      : scannedCommit === null || scannedSeq === null ? undefined
      : { commit: BigInt(scannedCommit), prepare: BigInt(scannedSeq) };
    return { rows, scannedUpTo, newest: BigInt(first[NEWEST]), bound: BigInt(first[BOUND]) };
  }

  /**
   * A subscription's page; retries while the server is briefly unreachable so a dropped connection only delays it.
   * Its waits end when the store closes or the subscription does (`signal`).
   */
  async readPage(after: Position | undefined, limit: number, filter: EventFilter | undefined, signal: AbortSignal): Promise<LogPage<EventRow>> {
    const stop = AbortSignal.any([signal, this.#closing.signal]);
    const sqlFilter = logFilter(filter);
    for (let attempt = 1; ; attempt++) {
      try {
        const { rows, scannedUpTo } = await this.#readerPage(after, limit, sqlFilter, stop);
        return { events: rows, scannedUpTo, full: rows.length === limit };
      } catch (error) {
        if (stop.aborted || attempt >= READ_RETRIES || !(error instanceof StoreUnavailableError)) throw error;
        await delay(100 * 2 ** attempt, stop);
        if (stop.aborted) throw error;
      }
    }
  }

  /** Decodes a row of `readPage` as the subscription reaches it; a row edited by hand throws `CorruptEventError`. */
  decodeRow(row: EventRow): RecordedEvent {
    return decodeEventRow(row);
  }

  /**
   * Places a row `decodeRow` refused, for the subscription's `unreadable` message. Stream id, revision, position and
   * type are typed NOT NULL columns, so every row can be placed.
   */
  unreadableRow(row: EventRow, error: CorruptEventError): UnreadableEvent {
    return { streamId: row[COLUMN.streamId], streamRevision: BigInt(row[COLUMN.revision]), position: rowPosition(row), type: row[COLUMN.type], error };
  }

  /** Resolves on a notification of an append, on a reconnect of the listener, or after the poll interval. */
  async waitForEventsAfter(after: Position | undefined, signal: AbortSignal): Promise<void> {
    // Register before looking at the head, so a notification arriving in between is not missed.
    const stop = new AbortController();
    const woken = this.#listener.wait(AbortSignal.any([signal, stop.signal]), this.#pollIntervalMs);
    try {
      const head = await this.#orderedHead();
      if (head !== undefined && isAfter(head, after)) stop.abort();
    } catch {
      // The next poll tries again; a failing read surfaces from readPage, where it carries its own message.
    }
    await woken;
  }

  /**
   * Read-your-writes for the global log: rows up to transaction `target` (the newest stored when a read found rows
   * held back) are ordered once every older transaction has ended, usually within milliseconds. Waits for that, up to
   * `orderingWaitMs`. Returns false when `signal` aborted meanwhile (the store or the reader closed), so the caller
   * keeps what it has read.
   */
  async #awaitOrdering(target: bigint, signal: AbortSignal = this.#closing.signal): Promise<boolean> {
    const deadline = Date.now() + this.#orderingWaitMs;
    for (let pause = 1; ; pause = Math.min(pause * 2, 50)) {
      await delay(pause, signal);
      if (signal.aborted) return false;
      const result = await this.#reached(this.#pool.query<[string]>({ rowMode: 'array', name: `cc-ordering:${this.#schema}`, text: this.#sql.ordering }));
      if (target < BigInt(result.rows[0]![0]) || Date.now() >= deadline) return true;
    }
  }

  #assertOpen(): void {
    if (this.#closed) throw new StoreClosedError(`The PostgresEventStore on schema "${this.#schema}"`);
  }
}

/** The store's SQL for one schema. Values always travel as parameters; only the validated schema is spliced in. */
const statements = (schema: string) => {
  const q = quoteSchema(schema);
  const visible = 'transaction_id < pg_snapshot_xmin(pg_current_snapshot())';
  const newest = `coalesce((select transaction_id from ${q}.events order by transaction_id desc limit 1), '0'::xid8)`;
  // EVENT_COLUMNS by their output names, as the checked read selects them from its lateral page.
  const pageColumns = EVENT_COLUMNS.split(', ').map((column) => `page.${column.split(' as ').at(-1)!}`).join(', ');
  const afterReader = `transaction_id < ordering.bound and (transaction_id, seq) > ($1::text::xid8, $2::bigint)`;
  // A page of ordered rows after the reader's position with the ordering state, in one snapshot; filtered by
  // `condition`, it also reports the last visible row after the position, matching or not.
  const checkedPage = (condition: string | undefined) => `select ${pageColumns}, ordering.newest::text, ordering.bound::text${
    condition === undefined ? '' : ', scanned.commit_id, scanned.seq'}
      from (select ${newest} as newest, pg_snapshot_xmin(pg_current_snapshot()) as bound) ordering${condition === undefined ? '' : `
      left join lateral (select transaction_id::text as commit_id, seq::text as seq from ${q}.events
        where ${afterReader} order by events.transaction_id desc, events.seq desc limit 1) scanned on true`}
      left join lateral (select ${EVENT_COLUMNS}, events.transaction_id as sort_tx, events.seq as sort_seq from ${q}.events
        where ${afterReader}${condition === undefined ? '' : ` and ${condition}`}
        order by events.transaction_id, events.seq limit $3) page on true
      order by page.sort_tx, page.sort_seq`;
  return {
    append: `select outcome, stream_revision::text as stream_revision, commit_id, seq::text as seq
      from ${q}.append_events($1, $2, $3::uuid[], $4::text[], $5::text[], $6::text[])`,
    stored: `select stream_id, stream_revision::text as stream_revision, transaction_id::text as commit_id, seq::text as seq,
      type, event_id::text as event_id from ${q}.events where event_id = any($1::uuid[])`,
    streamHead: `select revision::text as revision from ${q}.streams where stream_id = $1`,
    streamForwards: `select ${EVENT_COLUMNS} from ${q}.events
      where stream_id = $1 and stream_revision between $2::bigint and $3::bigint order by events.stream_revision`,
    streamBackwards: `select ${EVENT_COLUMNS} from ${q}.events
      where stream_id = $1 and stream_revision between $2::bigint and $3::bigint order by events.stream_revision desc`,
    log: `select ${EVENT_COLUMNS} from ${q}.events
      where ${visible} and (transaction_id, seq) > ($1::text::xid8, $2::bigint)
      order by events.transaction_id, events.seq limit $3`,
    // One snapshot for the page and the ordering state, so "nothing held back" is true of the rows the page saw. The
    // empty page is one row of nulls, which keeps the ordering columns.
    logChecked: checkedPage(undefined),
    // The same with the page filtered, one text per filter shape, and the last visible row after the reader's position
    // (the scanned position of a short page), from that snapshot too.
    filteredLog: Object.fromEntries(LOG_FILTER_SHAPES.map((shape) => [shape, checkedPage(logFilterCondition(shape, 4))])) as Record<LogFilterShape, string>,
    ordering: `select pg_snapshot_xmin(pg_current_snapshot())::text`,
    progress: progressStatement(q),
    head: `select transaction_id::text as commit_id, seq::text as seq from ${q}.events
      where ${visible} order by events.transaction_id desc, events.seq desc limit 1`,
    headChecked: `select head.commit_id, head.seq, ordering.newest::text as newest, ordering.bound::text as bound
      from (select ${newest} as newest, pg_snapshot_xmin(pg_current_snapshot()) as bound) ordering
      left join lateral (select transaction_id::text as commit_id, seq::text as seq from ${q}.events
        where transaction_id < ordering.bound order by events.transaction_id desc, events.seq desc limit 1) head on true`,
  };
};

/**
 * The events of a checked page: none when it is the one row of nulls an empty page gives. The extra columns after an
 * event's seven are never read as part of the event.
 */
const pageRows = (rows: readonly (CheckedRow | FilteredRow)[]): EventRow[] =>
  rows[0]![COLUMN.streamId] === null ? [] : (rows as unknown as EventRow[]);

/** Where each event's id is stored, from the rows the stored-ids query found (ids compare in PostgreSQL's lower case). */
const storedPlaces = (serialized: readonly SerializedEvent[], rows: readonly StoredRow[]): (StoredEventPlace | undefined)[] => {
  const byId = new Map(rows.map((row) => [row.event_id, row]));
  return serialized.map(({ eventId }) => {
    const row = byId.get(eventId.toLowerCase());
    return row && {
      eventId,
      type: row.type,
      streamId: row.stream_id,
      streamRevision: BigInt(row.stream_revision),
      position: { commit: BigInt(row.commit_id), prepare: BigInt(row.seq) },
    };
  });
};
