import Database from 'better-sqlite3';
import type { Database as SqliteDatabase, Statement } from 'better-sqlite3';
import type {
  AppendCondition,
  AppendOptions,
  AppendResult,
  CorruptEventError,
  DcbEventStore,
  EventFilter,
  EventStore,
  ExpectedRevision,
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
  UnreadableEvent,
} from '@clusterconf/domain';
import {
  AppendConditionFailedError,
  ClusterconfError,
  NoEventStoreError,
  DEFAULT_MAX_EVENT_BYTES,
  replayedAppend,
  matchesFilter,
  prepareAppend,
  prepareConditionalAppend,
  prepareQueryRead,
  satisfiesExpectedRevision,
  sequencePosition,
  StoreClosedError,
  StoreUnavailableError,
  StreamNotFoundError,
  WrongExpectedRevisionError,
} from '@clusterconf/domain';
import { catchUpSubscription, type LogPage, type LogSource } from '../../shared/catch-up-subscription.js';
import { EXACT_COUNT_LIMIT, extrapolatedCount } from '../../shared/estimated-count.js';
import { pagedAsyncIterable } from '../../shared/paged-async-iterable.js';
import { indexKeysOf, KEY_SEPARATOR, queryScans, tagKey, type QueryScan } from '../../shared/query-scans.js';

/** A scan as the store runs it: a key's range, or the log by type (a tag-only item is first expanded into its keys). */
type ConcreteScan = Exclude<QueryScan, { kind: 'tag' }>;
import { readStreamWindow } from '../../shared/read-stream-window.js';
import { EVENT_COLUMNS, EVENT_COLUMNS_OF_E, eventFromRow, type EventRow, unreadableFromRow } from './event-row.js';
import { migrateSqliteEventStore } from './schema-migrations.js';

/** Options of `SqliteEventStore.open`. */
export interface SqliteEventStoreOptions {
  /** A file path (created when missing) or `':memory:'` for a private in-memory database. */
  readonly path: string;
  /** Refuse events whose serialised data plus metadata exceed this many bytes; default 1 MiB. */
  readonly maxEventBytes?: number;
  /** How long a write waits for another process's write lock before failing; default 5000 ms. */
  readonly busyTimeoutMs?: number;
  /** How often live subscriptions look for commits made by other processes; default 50 ms. */
  readonly pollIntervalMs?: number;
  /** Rows per query of `readAll` and `readStream` unless the call gives its own `pageSize`; default 1000. */
  readonly readPageSize?: number;
  /**
   * Open only a file that already holds an event store; anything else (a missing file, another application's
   * database) is `NoEventStoreError`, and the file is not touched: no tables, no switch to WAL. For tools that only
   * read. Default false: a new or empty file gets the schema.
   */
  readonly existingOnly?: boolean;
}

/** Refuses a file without the event store's tables, looking through a read-only connection that changes nothing. */
const assertHoldsEventStore = (path: string): void => {
  const fix = 'check the path, or create the store by writing to it first (e.g. `clusterconf seed` or `import`)';
  if (path === ':memory:') throw new NoEventStoreError('sqlite::memory:', 'a new in-memory database is empty; open it without existingOnly');
  let probe: SqliteDatabase | undefined;
  try {
    probe = new Database(path, { readonly: true, fileMustExist: true });
    const tables = probe.prepare("select count(*) as n from sqlite_master where type = 'table' and name in ('events', 'schema_migrations')").get() as { n: number };
    if (tables.n !== 2) throw new NoEventStoreError(`sqlite:${path}`, `it has no events and schema_migrations tables; ${fix}`);
  } catch (error) {
    if (error instanceof NoEventStoreError) throw error;
    throw new NoEventStoreError(`sqlite:${path}`, `${(error as Error).message}; ${fix}`);
  } finally {
    probe?.close();
  }
};

interface StoredId {
  readonly streamId: string;
  readonly streamRevision: number;
  readonly position: number;
  readonly type: string;
}

/** A page of the log as one filtered scan read it. */
interface ScannedPage {
  /** The matching rows, in position order. */
  readonly rows: EventRow[];
  /** The last position scanned, matching or not. */
  readonly scannedUpTo: bigint | undefined;
  /** True when the scan stopped at its limit, so more rows may follow at once. */
  readonly full: boolean;
}

/** Thrown inside the append transaction to roll it back and report the clash outside. */
class EventIdTaken extends Error {}

const isUniqueViolation = (error: unknown, column: string): boolean =>
  error instanceof Error && (error as { code?: string }).code === 'SQLITE_CONSTRAINT_UNIQUE' && error.message.includes(column);

/**
 * The embedded default event store: one SQLite file (or memory), opened with better-sqlite3.
 *
 * Durability and concurrency: WAL journal with `synchronous=NORMAL` (a commit survives a process crash; a power
 * loss may lose the last commits but never corrupts the file), a busy timeout for writers from other processes, and
 * every append in one `BEGIN IMMEDIATE` transaction, so the revision check and the insert see the same stream.
 * Other processes may append to the same file; live subscriptions notice their commits by polling the cheap
 * `PRAGMA data_version` every `pollIntervalMs`, and appends through this store wake them at once.
 *
 * Dynamic Consistency Boundaries. A conditional append checks its condition and writes in that same `BEGIN
 * IMMEDIATE` transaction, which holds the file's one write lock: no other append, in this process or another, can
 * commit between the check and the write, and positions are handed out in commit order, so a position read is a
 * sound `after`. A query reads, per item, the `event_tags` range of each (first tag, type) key (or the log, for an item
 * without tags), in one read transaction, and merges the ranges by position.
 */
export class SqliteEventStore implements EventStore, DcbEventStore, LogSource<EventRow> {
  readonly capabilities = { dcb: true } as const;
  readonly #db: SqliteDatabase;
  readonly #path: string;
  readonly #maxEventBytes: number;
  readonly #pollIntervalMs: number;
  readonly #readPageSize: number;
  readonly #waiters = new Set<() => void>();
  readonly #subscriptions = new Set<Subscription>();
  readonly #statements: ReturnType<typeof prepareStatements>;
  /** Inserts of an event's index keys, by their number (two per tag, so at most 2 × MAX_TAGS_PER_EVENT). */
  readonly #keyInserts = new Map<number, Statement>();
  readonly #append: (streamId: string, events: readonly SerializedEvent[], expected: ExpectedRevision) => AppendResult;
  readonly #appendIf: (streamId: string, events: readonly SerializedEvent[], condition: AppendCondition | undefined) => AppendResult;
  readonly #queryPage: (scans: readonly QueryScan[] | 'all', after: bigint, limit: number) => EventRow[];
  readonly #filteredScan: (after: bigint, filter: EventFilter, limit: number) => { more: EventRow[]; head: number | null };
  readonly #countAfter: (after: bigint) => { head: number | null; counted: number; last: number | null };
  #pollTimer: NodeJS.Timeout | undefined;
  #dataVersion = 0;
  #closed = false;

  private constructor(db: SqliteDatabase, options: SqliteEventStoreOptions) {
    this.#db = db;
    this.#path = options.path;
    this.#maxEventBytes = options.maxEventBytes ?? DEFAULT_MAX_EVENT_BYTES;
    this.#pollIntervalMs = options.pollIntervalMs ?? 50;
    this.#readPageSize = options.readPageSize ?? 1000;
    this.#statements = prepareStatements(db);
    const transaction = db.transaction((streamId: string, events: readonly SerializedEvent[], expected: ExpectedRevision) =>
      this.#appendInTransaction(streamId, events, expected),
    );
    this.#append = (streamId, events, expected) => transaction.immediate(streamId, events, expected);
    const conditional = db.transaction((streamId: string, events: readonly SerializedEvent[], condition: AppendCondition | undefined) =>
      this.#appendIfInTransaction(streamId, events, condition),
    );
    this.#appendIf = (streamId, events, condition) => conditional.immediate(streamId, events, condition);
    // One read transaction, so the ranges merged into a page come from one snapshot of the file.
    this.#queryPage = db.transaction((scans: readonly QueryScan[] | 'all', after: bigint, limit: number) => this.#mergedScans(scans, after, limit));
    // One read transaction: the rows the scan found and the head it reports come from one snapshot of the file.
    this.#filteredScan = db.transaction((after: bigint, filter: EventFilter, limit: number) => ({
      more: this.#statements.filteredLogPage.all({
        after,
        types: filter.eventTypes === undefined ? null : JSON.stringify(filter.eventTypes),
        notIn: filter.eventTypes === undefined || filter.orTypesNotIn === undefined ? null : JSON.stringify(filter.orTypesNotIn),
        prefixes: filter.streamPrefixes === undefined ? null : JSON.stringify(filter.streamPrefixes),
        limit,
      }) as EventRow[],
      head: this.#statements.head.get() as number | null,
    }));
    // The head and the count from one snapshot, so a commit by another process between them cannot skew the count.
    this.#countAfter = db.transaction((after: bigint) => {
      const [counted, last] = this.#statements.countAfter.get(after, EXACT_COUNT_LIMIT) as [number, number | null];
      return { head: this.#statements.head.get() as number | null, counted, last };
    });
  }

  /**
   * Opens (creating and migrating when needed) the store at `options.path`. Rejects with `SchemaTooNewError` for a
   * file written by a newer version, and `StoreUnavailableError` when the file cannot be opened as SQLite.
   */
  static async open(options: SqliteEventStoreOptions): Promise<SqliteEventStore> {
    const busyTimeoutMs = options.busyTimeoutMs ?? 5000;
    if (!Number.isInteger(busyTimeoutMs) || busyTimeoutMs < 0) {
      throw new RangeError(`busyTimeoutMs ${busyTimeoutMs} must be a whole number of milliseconds, 0 or more`);
    }
    if (options.pollIntervalMs !== undefined) positiveInteger('pollIntervalMs', options.pollIntervalMs);
    if (options.readPageSize !== undefined) positiveInteger('readPageSize', options.readPageSize);
    let db: SqliteDatabase | undefined;
    try {
      // better-sqlite3 applies `timeout` as SQLite's busy timeout, before the pragmas below can meet a lock.
      if (options.existingOnly === true) assertHoldsEventStore(options.path);
      db = new Database(options.path, { timeout: busyTimeoutMs });
      db.pragma('journal_mode = WAL');
      db.pragma('synchronous = NORMAL');
      migrateSqliteEventStore(db, options.path);
      return new SqliteEventStore(db, options);
    } catch (error) {
      db?.close();
      if (error instanceof ClusterconfError) throw error;
      throw new StoreUnavailableError(`sqlite:${options.path}`, `${(error as Error).message}; check that the path is ` +
        `a writable SQLite event store file (or a new file in a writable directory)`, { cause: error });
    }
  }

  /** The better-sqlite3 connection, for tools that need to inspect the file; do not write events through it. */
  get database(): SqliteDatabase {
    return this.#db;
  }

  async appendToStream(streamId: string, events: readonly NewEvent[], options: AppendOptions = {}): Promise<AppendResult> {
    this.#assertOpen();
    const { expectedRevision, events: serialized } = prepareAppend(streamId, events, options, this.#maxEventBytes);
    let result: AppendResult;
    try {
      result = this.#append(streamId, serialized, expectedRevision);
    } catch (error) {
      if (!(error instanceof EventIdTaken)) throw this.#translate(error);
      // The batch was rolled back; now decide whether it was a retry of an append that already succeeded.
      result = this.#idempotentReplay(streamId, serialized)!;
    }
    this.#wakeWaiters();
    return result;
  }

  #appendInTransaction(streamId: string, events: readonly SerializedEvent[], expected: ExpectedRevision): AppendResult {
    const last = this.#statements.currentRevision.get(streamId) as number | null;
    const current = last === null ? undefined : BigInt(last);
    if (!satisfiesExpectedRevision(expected, current)) {
      // A retry whose precondition no longer holds (because its first attempt succeeded) is still a retry.
      const replay = this.#idempotentReplay(streamId, events);
      if (replay) return replay;
      throw new WrongExpectedRevisionError(streamId, expected, current);
    }
    return this.#insert(streamId, events, last);
  }

  async append(streamId: string, events: readonly NewEvent[], condition?: AppendCondition): Promise<AppendResult> {
    this.#assertOpen();
    const { condition: checked, events: serialized } = prepareConditionalAppend(streamId, events, condition, this.#maxEventBytes);
    let result: AppendResult;
    try {
      result = this.#appendIf(streamId, serialized, checked);
    } catch (error) {
      if (!(error instanceof EventIdTaken)) throw this.#translate(error);
      result = this.#idempotentReplay(streamId, serialized)!;
    }
    this.#wakeWaiters();
    return result;
  }

  #appendIfInTransaction(streamId: string, events: readonly SerializedEvent[], condition: AppendCondition | undefined): AppendResult {
    if (condition !== undefined) {
      const conflict = this.#firstConflict(queryScans(condition.failIfEventsMatch), condition.after?.commit ?? 0n);
      if (conflict !== undefined) {
        // A retry of a stored append fails its own condition (its events match it): it is answered as a retry.
        const replay = this.#idempotentReplay(streamId, events);
        if (replay) return replay;
        throw new AppendConditionFailedError(streamId, condition, sequencePosition(BigInt(conflict)));
      }
    }
    return this.#insert(streamId, events, this.#statements.currentRevision.get(streamId) as number | null);
  }

  /** Writes an event's index keys in one statement (one prepared per number of keys): a call per key measured slower. */
  #insertKeys(keys: readonly string[], position: bigint): void {
    let statement = this.#keyInserts.get(keys.length);
    if (statement === undefined) {
      statement = this.#db.prepare(`INSERT INTO event_tags (tag, position) VALUES ${Array.from({ length: keys.length }, () => '(?, ?)').join(', ')}`);
      this.#keyInserts.set(keys.length, statement);
    }
    statement.run(keys.flatMap((key) => [key, position]));
  }

  /**
   * The first position after `after` that the scans find, or `undefined`: positions only, from the tag index alone
   * (each key's range probed once), which is all a condition's check needs.
   */
  #firstConflict(scans: readonly QueryScan[] | 'all', after: bigint): number | undefined {
    const { firstAfter, firstOfKey, firstOfNarrowedKey, firstOfTypes } = this.#statements;
    if (scans === 'all') return (firstAfter.get(after) as number | undefined) ?? undefined;
    let first: number | undefined;
    for (const scan of this.#concrete(scans)) {
      const found = (scan.kind === 'types'
        ? firstOfTypes.get(after, JSON.stringify(scan.types))
        : scan.otherKeys.length === 0 ? firstOfKey.get(scan.key, after) : firstOfNarrowedKey.get(scan.key, after, JSON.stringify(scan.otherKeys))) as number | undefined;
      if (found !== undefined && (first === undefined || found < first)) first = found;
    }
    return first;
  }

  /** Inserts checked events after revision `last` of their stream (null: a new stream), with their tags. */
  #insert(streamId: string, events: readonly SerializedEvent[], last: number | null): AppendResult {
    const { insert } = this.#statements;
    let revision = last === null ? 0 : last + 1;
    let position = 0n;
    for (const event of events) {
      try {
        const tags = event.tags.length === 0 ? null : JSON.stringify(event.tags);
        position = BigInt(insert.run(streamId, revision, event.eventId, event.type, event.data, event.metadata, tags).lastInsertRowid);
      } catch (error) {
        if (isUniqueViolation(error, 'event_id')) throw new EventIdTaken();
        throw error;
      }
      if (event.tags.length > 0) this.#insertKeys(indexKeysOf(event.type, event.tags), position);
      revision++;
    }
    return { nextExpectedRevision: BigInt(revision - 1), position: sequencePosition(position) };
  }

  read(query: Query, options?: QueryReadOptions): AsyncIterable<RecordedEvent> {
    return pagedAsyncIterable(() => {
      this.#assertOpen();
      const { query: checked, after, limit } = prepareQueryRead(query, options);
      const scans = queryScans(checked);
      let remaining = limit;
      let cursor = after?.commit ?? 0n;
      return () => {
        if (remaining <= 0) return undefined;
        const pageSize = Math.min(this.#readPageSize, remaining);
        this.#assertOpen();
        const rows = this.#run(() => this.#queryPage(scans, cursor, pageSize));
        // Every range was read up to the page size, so a short page is the end of every one of them.
        remaining = rows.length < pageSize ? 0 : remaining - rows.length;
        if (rows.length > 0) cursor = BigInt(rows[rows.length - 1]![0]);
        return rows;
      };
    }, eventFromRow);
  }

  /**
   * Up to `limit` rows matching the scans after `after`, in position order. Each range is read up to `limit` rows, so
   * when the merge is shorter than `limit` every range has been read to its end; when one range is full, the merge
   * holds at least `limit` distinct rows, and the next page starts after the last one taken.
   */
  #mergedScans(scans: readonly QueryScan[] | 'all', after: bigint, limit: number): EventRow[] {
    if (scans === 'all') return this.#statements.logPage.all(after, limit) as EventRow[];
    const concrete = this.#concrete(scans);
    if (concrete.length === 1) return this.#scanRows(concrete[0]!, after, limit);
    const byPosition = new Map<number, EventRow>();
    for (const scan of concrete) for (const row of this.#scanRows(scan, after, limit)) byPosition.set(row[0], row);
    return [...byPosition.values()].sort((a, b) => a[0] - b[0]).slice(0, limit);
  }

  /**
   * The scans with every tag-only item expanded into the keys of its first tag as the index holds them now (one per
   * type stored with the tag), each narrowed to the other tags with that type. Run inside the transaction that reads
   * (or checks and writes), so the keys and the rows come from one snapshot.
   */
  #concrete(scans: readonly QueryScan[]): ConcreteScan[] {
    const concrete: ConcreteScan[] = [];
    for (const scan of scans) {
      if (scan.kind !== 'tag') {
        concrete.push(scan);
        continue;
      }
      const prefix = `${scan.tag}${KEY_SEPARATOR}`;
      // The keys of one tag sort together: from the tag and the separator up to the tag and the next character.
      const end = `${scan.tag}${String.fromCharCode(KEY_SEPARATOR.charCodeAt(0) + 1)}`;
      for (let key = this.#statements.firstKey.get(prefix, end) as string | undefined; key !== undefined; key = this.#statements.nextKey.get(key, end) as string | undefined) {
        const type = key.slice(prefix.length);
        concrete.push({ kind: 'key', key, otherKeys: scan.otherTags.map((other) => tagKey(other, type)) });
      }
    }
    return concrete;
  }

  #scanRows(scan: ConcreteScan, after: bigint, limit: number): EventRow[] {
    const { keyScan, narrowedKeyScan, typeScan } = this.#statements;
    if (scan.kind === 'types') return typeScan.all({ after, limit, types: JSON.stringify(scan.types) }) as EventRow[];
    if (scan.otherKeys.length === 0) return keyScan.all({ key: scan.key, after, limit }) as EventRow[];
    return narrowedKeyScan.all({ key: scan.key, after, limit, others: JSON.stringify(scan.otherKeys) }) as EventRow[];
  }

  /** The original result when these events are already stored here; throws when their ids are stored elsewhere. */
  #idempotentReplay(streamId: string, events: readonly SerializedEvent[]): AppendResult | undefined {
    return replayedAppend(
      streamId,
      events,
      events.map(({ eventId }) => {
        const row = this.#statements.storedId.get(eventId) as StoredId | undefined;
        return row && { eventId, type: row.type, streamId: row.streamId, streamRevision: BigInt(row.streamRevision), position: sequencePosition(BigInt(row.position)) };
      }),
    );
  }

  readStream(streamId: string, options: ReadStreamOptions = {}): AsyncIterable<RecordedEvent> {
    return pagedAsyncIterable(() => {
      this.#assertOpen();
      const last = this.#run(() => this.#statements.currentRevision.get(streamId) as number | null);
      if (last === null) throw new StreamNotFoundError(streamId);
      const window = readStreamWindow(BigInt(last), options);
      const page = window.step === 1n ? this.#statements.streamForwards : this.#statements.streamBackwards;
      // The query bounds the direction and the limit bounds the count, so rows need no per-row window check; events
      // appended while a long forwards read pages on are included, as if the read had started a little later.
      let remaining = window.includes(window.from) ? Math.floor(options.maxCount ?? Number.POSITIVE_INFINITY) : 0;
      let next = window.from;
      return () => {
        if (remaining <= 0) return undefined;
        const limit = Math.min(this.#readPageSize, remaining);
        this.#assertOpen();
        const rows = this.#run(() => page.all(streamId, next, limit) as EventRow[]);
        remaining = rows.length < limit ? 0 : remaining - rows.length;
        if (rows.length > 0) next = BigInt(rows[rows.length - 1]![2]) + window.step;
        return rows;
      };
    }, eventFromRow);
  }

  readAll(options: ReadAllOptions = {}): AsyncIterable<RecordedEvent> {
    return pagedAsyncIterable(() => {
      this.#assertOpen();
      const pageSize = positiveInteger('pageSize', options.pageSize ?? this.#readPageSize);
      const filter = options.filter;
      let remaining = options.maxCount ?? Number.POSITIVE_INFINITY;
      let after = options.after?.commit ?? 0n;
      let more = true;
      return () => {
        // A filtered scan keeps reading pages until one has a match, so empty pages never reach the consumer.
        while (more && remaining > 0) {
          const page = this.#scan(after, pageSize, filter);
          if (!page.full) more = false;
          else after = page.scannedUpTo!;
          if (page.rows.length === 0) continue;
          const rows = page.rows.length > remaining ? page.rows.slice(0, remaining) : page.rows;
          remaining -= rows.length;
          return rows;
        }
        return undefined;
      };
    }, eventFromRow);
  }

  async headPosition(): Promise<Position | undefined> {
    this.#assertOpen();
    const head = this.#run(() => this.#statements.head.get() as number | null);
    return head === null ? undefined : sequencePosition(BigInt(head));
  }

  /**
   * Counts the rows after `after` up to `EXACT_COUNT_LIMIT`. Counting runs on the caller's thread (better-sqlite3 is
   * synchronous), so a count of millions of rows would stall every other callback for as long; beyond the limit the
   * rest is extrapolated from the positions, which only rows removed by hand leave gaps in.
   */
  async progressAfter(after: Position | undefined): Promise<LogProgress> {
    this.#assertOpen();
    const from = after?.commit ?? 0n;
    const { head, counted, last } = this.#run(() => this.#countAfter(from));
    if (head === null) return { head: undefined, eventsAfter: 0, eventsAfterIs: 'exact' };
    const progress = { head: sequencePosition(BigInt(head)) };
    if (counted < EXACT_COUNT_LIMIT || last === head) return { ...progress, eventsAfter: counted, eventsAfterIs: 'exact' };
    const end = BigInt(last!);
    return { ...progress, eventsAfter: extrapolatedCount(counted, end - from, BigInt(head) - end), eventsAfterIs: 'estimate' };
  }

  subscribe(options: SubscribeOptions = {}): Subscription {
    this.#assertOpen();
    const subscription = catchUpSubscription(this, options, (closed) => this.#subscriptions.delete(closed));
    this.#subscriptions.add(subscription);
    return subscription;
  }

  /**
   * One page of the log after `after`, for `catchUpSubscription`: rows, which `decodeRow` parses only when the
   * subscription delivers them; filtered rows are dropped before any JSON parsing.
   */
  async readPage(after: Position | undefined, limit: number, filter: EventFilter | undefined): Promise<LogPage<EventRow>> {
    const page = this.#scan(after?.commit ?? 0n, limit, filter);
    return { events: page.rows, scannedUpTo: page.scannedUpTo === undefined ? undefined : sequencePosition(page.scannedUpTo), full: page.full };
  }

  /**
   * Up to `limit` rows after `after` that match `filter`. A page of the log is read and filtered here, which is the
   * fastest way when most rows match (a projection runner's filter is usually most of the log). When fewer than half
   * of it matched, the rest of the page is found by a filtered scan in SQLite instead, which reads past the rows it
   * does not want without making JavaScript strings of them: a subscription to a rare event type then costs a scan of
   * the file, not a copy of the log. That scan and the head it reports share one read transaction, so a page that ends
   * short reports as scanned exactly what it scanned.
   */
  #scan(after: bigint, limit: number, filter: EventFilter | undefined): ScannedPage {
    const rows = this.#rowsAfter(after, limit);
    const last = rows.length === 0 ? undefined : BigInt(rows[rows.length - 1]![0]);
    const matching = filter === undefined ? rows : this.#matching(rows, filter);
    if (filter === undefined || rows.length < limit || matching.length >= limit / 2) {
      return { rows: matching, scannedUpTo: last, full: rows.length === limit };
    }
    const wanted = limit - matching.length;
    const { more, head } = this.#run(() => this.#filteredScan(last!, filter, wanted));
    matching.push(...more);
    return more.length === wanted
      ? { rows: matching, scannedUpTo: BigInt(more[more.length - 1]![0]), full: true }
      : { rows: matching, scannedUpTo: head === null ? last : BigInt(head), full: false };
  }

  /** The rows that match `filter`. */
  #matching(rows: EventRow[], filter: EventFilter): EventRow[] {
    // Sets of the listed types per page rather than a scan of the lists per row.
    const types = filter.eventTypes === undefined ? undefined : new Set(filter.eventTypes);
    const notIn = filter.orTypesNotIn === undefined ? undefined : new Set(filter.orTypesNotIn);
    const prefixes = filter.streamPrefixes === undefined ? undefined : { streamPrefixes: filter.streamPrefixes };
    return rows.filter((row) => {
      const type = row[3];
      return (types === undefined || types.has(type) || (notIn !== undefined && !notIn.has(type))) &&
        (prefixes === undefined || matchesFilter(prefixes, row[1], type));
    });
  }

  /** Parses a row of `readPage`; malformed JSON throws `CorruptEventError` naming it. */
  decodeRow(row: EventRow): RecordedEvent {
    return eventFromRow(row);
  }

  /** Places a row `decodeRow` refused, for the subscription's `unreadable` message. */
  unreadableRow(row: EventRow, error: CorruptEventError): UnreadableEvent {
    return unreadableFromRow(row, error);
  }

  /** Resolves at once when events after `after` exist, else on the next local append or foreign commit. */
  waitForEventsAfter(after: Position | undefined, signal: AbortSignal): Promise<void> {
    return new Promise((resolve) => {
      if (signal.aborted || this.#closed) return resolve();
      const head = this.#statements.head.get() as number | null;
      if (head !== null && BigInt(head) > (after?.commit ?? 0n)) return resolve();
      const wake = () => {
        this.#waiters.delete(wake);
        signal.removeEventListener('abort', wake);
        if (this.#waiters.size === 0) this.#stopPolling();
        resolve();
      };
      this.#waiters.add(wake);
      signal.addEventListener('abort', wake, { once: true });
      this.#startPolling();
    });
  }

  /** Ends every subscription and closes the file; calling it again does nothing. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await Promise.all([...this.#subscriptions].map((subscription) => subscription.close()));
    this.#wakeWaiters();
    this.#stopPolling();
    this.#db.close();
  }

  #rowsAfter(after: bigint, limit: number): EventRow[] {
    this.#assertOpen();
    return this.#run(() => this.#statements.logPage.all(after, limit) as EventRow[]);
  }

  #startPolling(): void {
    if (this.#pollTimer !== undefined) return;
    this.#dataVersion = this.#statements.dataVersion.get() as number;
    this.#pollTimer = setInterval(() => {
      if (this.#closed) return this.#stopPolling();
      // data_version changes only when another connection commits; cheaper than querying the head every time.
      const version = this.#statements.dataVersion.get() as number;
      if (version === this.#dataVersion) return;
      this.#dataVersion = version;
      this.#wakeWaiters();
    }, this.#pollIntervalMs);
    // Not unref'd: the timer runs only while a subscription waits for events, and such a subscription is work in
    // progress, as an open socket is for the network stores; close() or the subscription's end stops it.
  }

  #stopPolling(): void {
    if (this.#pollTimer === undefined) return;
    clearInterval(this.#pollTimer);
    this.#pollTimer = undefined;
  }

  #wakeWaiters(): void {
    for (const wake of [...this.#waiters]) wake();
  }

  #run<T>(query: () => T): T {
    try {
      return query();
    } catch (error) {
      throw this.#translate(error);
    }
  }

  #translate(error: unknown): unknown {
    const code = (error as { code?: string }).code;
    if (code === 'SQLITE_BUSY' || code === 'SQLITE_LOCKED') {
      return new StoreUnavailableError(`sqlite:${this.#path}`, `the file stayed locked by another writer beyond the busy ` +
        `timeout (${(error as Error).message}); retry, or raise busyTimeoutMs`, { cause: error });
    }
    return error;
  }

  #assertOpen(): void {
    if (this.#closed) throw new StoreClosedError(`The SqliteEventStore at ${this.#path}`);
  }
}

const prepareStatements = (db: SqliteDatabase) => {
  const raw = (sql: string): Statement => db.prepare(sql).raw(true);
  const pluck = (sql: string): Statement => db.prepare(sql).pluck(true);
  return {
    currentRevision: pluck('SELECT max(stream_revision) FROM events WHERE stream_id = ?'),
    head: pluck('SELECT max(position) FROM events'),
    // A rowid range search (`position` is the rowid) over at most `limit` rows after the position, decoding no column.
    countAfter: raw('SELECT count(*), max(position) FROM (SELECT position FROM events WHERE position > ? ORDER BY position LIMIT ?)'),
    dataVersion: pluck('PRAGMA data_version'),
    insert: db.prepare('INSERT INTO events (stream_id, stream_revision, event_id, type, data, metadata, tags) VALUES (?, ?, ?, ?, ?, ?, ?)'),
    storedId: db.prepare(
      'SELECT stream_id AS streamId, stream_revision AS streamRevision, position, type FROM events WHERE event_id = ?',
    ),
    logPage: raw(`SELECT ${EVENT_COLUMNS} FROM events WHERE position > ? ORDER BY position LIMIT ?`),
    // The filter as JSON arrays (null: no condition); a prefix is compared as a prefix of characters, never a pattern.
    filteredLogPage: raw(
      `SELECT ${EVENT_COLUMNS} FROM events WHERE position > @after
         AND (@types IS NULL OR type IN (SELECT value FROM json_each(@types))
           OR (@notIn IS NOT NULL AND type NOT IN (SELECT value FROM json_each(@notIn))))
         AND (@prefixes IS NULL OR EXISTS (SELECT 1 FROM json_each(@prefixes) AS p WHERE substr(events.stream_id, 1, length(p.value)) = p.value))
       ORDER BY position LIMIT @limit`,
    ),
    // A key's range of event_tags (a tag with a type) in position order, joined to its events; narrowed, to the
    // events also indexed under other keys, each one lookup of event_tags.
    keyScan: raw(
      `SELECT ${EVENT_COLUMNS_OF_E} FROM event_tags t JOIN events e ON e.position = t.position
         WHERE t.tag = @key AND t.position > @after ORDER BY t.position LIMIT @limit`,
    ),
    narrowedKeyScan: raw(
      `SELECT ${EVENT_COLUMNS_OF_E} FROM event_tags t JOIN events e ON e.position = t.position
         WHERE t.tag = @key AND t.position > @after
           AND NOT EXISTS (SELECT 1 FROM json_each(@others) AS o
             WHERE NOT EXISTS (SELECT 1 FROM event_tags x WHERE x.tag = o.value AND x.position = t.position))
         ORDER BY t.position LIMIT @limit`,
    ),
    // The keys of a tag, one by one: a seek past every row of the key before.
    firstKey: pluck('SELECT tag FROM event_tags WHERE tag >= ? AND tag < ? ORDER BY tag LIMIT 1'),
    nextKey: pluck('SELECT tag FROM event_tags WHERE tag > ? AND tag < ? ORDER BY tag LIMIT 1'),
    // The condition's check: the first position of a key's range after a position, from the index alone.
    firstAfter: pluck('SELECT position FROM events WHERE position > ? ORDER BY position LIMIT 1'),
    firstOfKey: pluck('SELECT position FROM event_tags WHERE tag = ? AND position > ? ORDER BY position LIMIT 1'),
    firstOfNarrowedKey: pluck(
      `SELECT t.position FROM event_tags t WHERE t.tag = ? AND t.position > ?
         AND NOT EXISTS (SELECT 1 FROM json_each(?) AS o WHERE NOT EXISTS (SELECT 1 FROM event_tags x WHERE x.tag = o.value AND x.position = t.position))
       ORDER BY t.position LIMIT 1`,
    ),
    firstOfTypes: pluck('SELECT position FROM events WHERE position > ? AND type IN (SELECT value FROM json_each(?)) ORDER BY position LIMIT 1'),
    // An item without tags reads the log itself, by position, for its types.
    typeScan: raw(
      `SELECT ${EVENT_COLUMNS} FROM events WHERE position > @after AND type IN (SELECT value FROM json_each(@types))
         ORDER BY position LIMIT @limit`,
    ),
    streamForwards: raw(
      `SELECT ${EVENT_COLUMNS} FROM events WHERE stream_id = ? AND stream_revision >= ? ORDER BY stream_revision LIMIT ?`,
    ),
    streamBackwards: raw(
      `SELECT ${EVENT_COLUMNS} FROM events WHERE stream_id = ? AND stream_revision <= ? ORDER BY stream_revision DESC LIMIT ?`,
    ),
  };
};

const positiveInteger = (name: string, value: number): number => {
  if (!Number.isInteger(value) || value < 1) throw new RangeError(`${name} ${value} must be a whole number of at least 1`);
  return value;
};
