import type pg from 'pg';
import type {
  AppendCondition,
  AppendOptions,
  AppendResult,
  CorruptEventError,
  DcbEventStore,
  EventFilter,
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
  UnreadableEvent,
} from '@clusterconf/domain';
import { DEFAULT_MAX_EVENT_BYTES, isAfter, NoEventStoreError, StoreClosedError, StoreUnavailableError } from '@clusterconf/domain';
import { catchUpSubscription, delay, type LogPage, type LogSource } from '../../shared/catch-up-subscription.js';
import { EXACT_COUNT_LIMIT } from '../../shared/estimated-count.js';
import { storePool, type PoolOptions } from '../pool.js';
import { appendIfToPostgres, appendToPostgres, type PostgresAppender } from './append.js';
import { AppendNotifier } from './append-notifier.js';
import { connectionFailure, describeEndpoint } from './connection-errors.js';
import { decodeEventRow, type EventRow, rowPosition } from './event-rows.js';
import { logFilter } from './log-filter.js';
import { logProgressOf, type ProgressRow } from './log-progress.js';
import { LockKeyring } from './lock-keys.js';
import { OrderedLog } from './log-reads.js';
import { migrate } from './migrations.js';
import { NotificationListener } from './notification-listener.js';
import { quoteSchema } from './schema-name.js';
import { StoreQueries } from './store-queries.js';
import { readPostgresQuery } from './query-reads.js';
import { readPostgresStream } from './stream-reads.js';
import { assertTransactionIdsBehindServer } from './transaction-id-guard.js';

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

const FROM_START = { commit: 0n, prepare: 0n };
const READ_RETRIES = 6;
/** How long `close()` lets the notification of the last appends finish before dropping the connection it is on. */
const CLOSE_FLUSH_MS = 500;

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
 * `OrderedLog` for why no event can later appear before it).
 *
 * Copies. Positions are the server's transaction ids, so a logical copy of the database (pg_dump and restore,
 * logical replication into another cluster) restarts them lower than the stored ones; `open` refuses such a schema
 * (`TransactionIdsAheadError`). Physical copies (replicas, pg_basebackup, pg_upgrade) keep them.
 *
 * Wake-ups. Subscribers of this store are woken in process right after an append; other processes learn of appends
 * through LISTEN on one connection per store (see `AppendNotifier` for why NOTIFY is sent after commit), with a poll
 * every `pollIntervalMs` for rows released when an unrelated transaction ends. A dropped listening connection is
 * reconnected with backoff; subscribers re-read from their own positions, so nothing is lost or repeated.
 *
 * Dynamic Consistency Boundaries. Every append, with a condition or not, first takes transaction-scoped advisory
 * locks (shared for what it writes, exclusive for what its condition selects; see `LockKeyring` for the keys and the
 * proof), then checks the condition in a statement whose snapshot follows the locks, then inserts through the same
 * path as stream appends, so positions, the ordering bound and notifications are those of any append. Appends whose
 * events match a pending condition wait for it or it for them; appends that only write, or whose conditions select
 * other types or tags, never wait for one another. Reads of a query return only ordered rows (`readPostgresQuery`).
 */
export class PostgresEventStore implements EventStore, DcbEventStore, LogSource<EventRow> {
  readonly capabilities = { dcb: true } as const;
  readonly #pool: pg.Pool;
  readonly #ownsPool: boolean;
  readonly #schema: string;
  readonly #listener: NotificationListener;
  readonly #notifier: AppendNotifier;
  readonly #maxEventBytes: number;
  readonly #pollIntervalMs: number;
  readonly #pageSize: number;
  readonly #queries: StoreQueries;
  readonly #log: OrderedLog;
  readonly #appender: PostgresAppender;
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
    this.#queries = new StoreQueries(fields.pool, fields.schema);
    this.#log = new OrderedLog(this.#queries, fields.options.orderingWaitMs ?? 5000, this.#closing.signal);
    this.#appender = { queries: this.#queries, keyring: new LockKeyring(fields.schema), maxEventBytes: this.#maxEventBytes };
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
    const result = await appendToPostgres(this.#appender, streamId, events, options);
    this.#listener.wakeLocal();
    this.#notifier.notify();
    return result;
  }

  async append(streamId: string, events: readonly NewEvent[], condition?: AppendCondition): Promise<AppendResult> {
    this.#assertOpen();
    const result = await appendIfToPostgres(this.#appender, streamId, events, condition);
    this.#listener.wakeLocal();
    this.#notifier.notify();
    return result;
  }

  read(query: Query, options?: QueryReadOptions): AsyncIterable<RecordedEvent> {
    return readPostgresQuery(this.#queries, this.#log, query, options, this.#pageSize, () => this.#assertOpen());
  }

  readStream(streamId: string, options: ReadStreamOptions = {}): AsyncIterable<RecordedEvent> {
    return readPostgresStream(this.#queries, streamId, options, this.#pageSize, () => this.#assertOpen());
  }

  readAll(options: ReadAllOptions = {}): AsyncIterable<RecordedEvent> {
    return this.#log.readAll(options, options.pageSize ?? this.#pageSize, () => this.#assertOpen());
  }

  async headPosition(): Promise<Position | undefined> {
    this.#assertOpen();
    return this.#log.headPosition();
  }

  /**
   * One statement, so one snapshot: the head readers reach now (never waited for), the committed events after `after`
   * in log order, held back or not, and the transaction holding them back when there is one. See `progressStatement`.
   */
  async progressAfter(after: Position | undefined): Promise<LogProgress> {
    this.#assertOpen();
    const from = after ?? FROM_START;
    const result = await this.#queries.run<ProgressRow>('progress', this.#queries.sql.progress, [from.commit.toString(), from.prepare.toString(), EXACT_COUNT_LIMIT]);
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

  /**
   * A subscription's page; retries while the server is briefly unreachable so a dropped connection only delays it.
   * Its waits end when the store closes or the subscription does (`signal`).
   */
  async readPage(after: Position | undefined, limit: number, filter: EventFilter | undefined, signal: AbortSignal): Promise<LogPage<EventRow>> {
    const stop = AbortSignal.any([signal, this.#closing.signal]);
    const sqlFilter = logFilter(filter);
    for (let attempt = 1; ; attempt++) {
      try {
        const { rows, scannedUpTo } = await this.#log.readerPage(after, limit, sqlFilter, stop);
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
    return { streamId: row.stream_id, streamRevision: BigInt(row.stream_revision), position: rowPosition(row), type: row.type, error };
  }

  /** Resolves on a notification of an append, on a reconnect of the listener, or after the poll interval. */
  async waitForEventsAfter(after: Position | undefined, signal: AbortSignal): Promise<void> {
    // Register before looking at the head, so a notification arriving in between is not missed.
    const stop = new AbortController();
    const woken = this.#listener.wait(AbortSignal.any([signal, stop.signal]), this.#pollIntervalMs);
    try {
      const head = await this.#log.orderedHead();
      if (head !== undefined && isAfter(head, after)) stop.abort();
    } catch {
      // The next poll tries again; a failing read surfaces from readPage, where it carries its own message.
    }
    await woken;
  }

  #assertOpen(): void {
    if (this.#closed) throw new StoreClosedError(`The PostgresEventStore on schema "${this.#schema}"`);
  }
}
