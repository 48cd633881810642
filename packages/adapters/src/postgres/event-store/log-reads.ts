import type { Position, ReadAllOptions, RecordedEvent } from '@clusterconf/domain';
import { delay } from '../../shared/catch-up-subscription.js';
import { pagedEvents, STOP } from '../../shared/paged-events.js';
import { decodeEventRow, type EventRow, rowPosition } from './event-rows.js';
import { logFilter, type LogFilter } from './log-filter.js';
import type { CheckedHeadRow, CheckedRow, FilteredRow, HeadRow, OrderingColumns } from './statements.js';
import type { StoreQueries } from './store-queries.js';

const FROM_START = { commit: 0n, prepare: 0n };

/** The rows a reader takes, and the last position its read certainly scanned, matching or not. */
export interface ReaderPage {
  readonly rows: EventRow[];
  readonly scannedUpTo: Position | undefined;
}

/** A filtered read, with the ordering state of its snapshot: the newest stored transaction id and the bound. */
interface FilteredPage extends ReaderPage {
  readonly newest: bigint;
  readonly bound: bigint;
}

/** The events of a checked page: none when it is the one row of nulls an empty page gives. */
const pageRows = (rows: readonly CheckedRow[]): EventRow[] =>
  rows[0]!.stream_id === null ? [] : (rows as readonly EventRow[] as EventRow[]);

/** The ordering state a checked statement returned, from its first row (every row carries the same). */
const orderingOf = (rows: readonly OrderingColumns[]): { newest: bigint; bound: bigint } => {
  const first = rows[0]!;
  return { newest: BigInt(first.newest), bound: BigInt(first.bound) };
};

/**
 * The global log with its ordering bound. Readers only see rows whose transaction id is below
 * `pg_snapshot_xmin(pg_current_snapshot())`, ordered by (transaction id, seq), so once a reader has passed a position
 * no row can later appear before it (see `PostgresEventStore`). Read-your-writes: a page that comes back short is the
 * end of the ordered log, so there the reader checks, in the same snapshot, whether any stored row is still held back
 * (newest stored transaction id at or above the bound), and only then waits (up to `orderingWaitMs`) for the rows
 * committed before the read to be ordered, and reads again. Full pages of ordered history never wait.
 */
export class OrderedLog {
  constructor(
    readonly queries: StoreQueries,
    readonly orderingWaitMs: number,
    /** Aborted when the store closes: ends ordering waits at once. */
    readonly closing: AbortSignal,
  ) {}

  /** `readAll`: pages of `pageSize` ordered rows, filtered in the database, decoded as the consumer reaches them. */
  readAll(options: ReadAllOptions, pageSize: number, assertOpen: () => void): AsyncIterable<RecordedEvent> {
    let remaining = options.maxCount ?? Number.POSITIVE_INFINITY;
    const filter = logFilter(options.filter);
    // The filter runs in the database, so every page holds only matching rows and a full one means more may follow.
    const read = async (after: Position | undefined): Promise<EventRow[]> =>
      filter === undefined ? this.readerRows(after, pageSize) : (await this.filteredReaderPage(after, pageSize, filter)).rows;
    return pagedEvents<EventRow>({
      first: async () => {
        assertOpen();
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

  /** The head of the ordered log; when rows are held back behind the bound, after waiting for them to be ordered. */
  async headPosition(): Promise<Position | undefined> {
    // The head and whether anything is held back, in one snapshot: the wait is only for a head that is behind.
    const result = await this.queries.run<CheckedHeadRow>('head-checked', this.queries.sql.headChecked);
    const { commit_id, seq } = result.rows[0]!;
    const { newest, bound } = orderingOf(result.rows);
    if (newest >= bound && (await this.awaitOrdering(newest))) return this.orderedHead();
    return commit_id === null || seq === null ? undefined : { commit: BigInt(commit_id), prepare: BigInt(seq) };
  }

  /** The last ordered position as it stands, without waiting for rows still held back. */
  async orderedHead(): Promise<Position | undefined> {
    const result = await this.queries.run<HeadRow>('head', this.queries.sql.head);
    const row = result.rows[0];
    return row === undefined ? undefined : { commit: BigInt(row.commit_id), prepare: BigInt(row.seq) };
  }

  /**
   * The rows after `after` that pass `filter` (all rows without one), for a reader that must see what committed before
   * it read; see `readerRows` and `filteredReaderPage`.
   */
  async readerPage(after: Position | undefined, limit: number, filter: LogFilter | undefined, signal: AbortSignal): Promise<ReaderPage> {
    if (filter !== undefined) return this.filteredReaderPage(after, limit, filter, signal);
    const rows = await this.readerRows(after, limit, signal);
    // Unfiltered, every row scanned is returned, so the last one is as far as the read got.
    const last = rows[rows.length - 1];
    return { rows, scannedUpTo: last === undefined ? undefined : rowPosition(last) };
  }

  /** The ordered rows after `after`, as they stand. */
  async #logRows(after: Position | undefined, limit: number): Promise<EventRow[]> {
    const from = after ?? FROM_START;
    const result = await this.queries.run<EventRow>('log', this.queries.sql.log, [from.commit.toString(), from.prepare.toString(), limit]);
    return result.rows;
  }

  /**
   * The ordered rows after `after` for a reader that must see what committed before it read (read-your-writes). A full
   * page is returned as read: the log goes on, and the reader's last page is short. A short page is read again
   * together with the newest stored transaction id and the ordering bound, in one snapshot; when nothing is held back
   * that page is complete. Otherwise the rows committed before that read are waited for (up to `orderingWaitMs`, or
   * until the store closes or `signal` aborts) and the page read once more.
   */
  async readerRows(after: Position | undefined, limit: number, signal: AbortSignal = this.closing): Promise<EventRow[]> {
    const rows = await this.#logRows(after, limit);
    if (rows.length === limit) return rows;
    const from = after ?? FROM_START;
    const checked = await this.queries.run<CheckedRow>('log-checked', this.queries.sql.logChecked, [from.commit.toString(), from.prepare.toString(), limit]);
    const page = pageRows(checked.rows);
    const { newest, bound } = orderingOf(checked.rows);
    if (newest < bound || !(await this.awaitOrdering(newest, signal))) return page;
    return this.#logRows(after, limit);
  }

  /**
   * The matching rows after `after`, filtered in the database, for a reader that must see what committed before it
   * read. Page, ordering state and scanned position come from one statement, so from one snapshot. A full page is
   * returned as read. A short one is the end of the ordered log: when rows are held back behind the bound, the rows
   * committed before the read are waited for as in `readerRows`, and the page is read once more.
   */
  async filteredReaderPage(after: Position | undefined, limit: number, filter: LogFilter, signal: AbortSignal = this.closing): Promise<FilteredPage> {
    const page = await this.#filteredLog(after, limit, filter);
    if (page.rows.length === limit || page.newest < page.bound || !(await this.awaitOrdering(page.newest, signal))) return page;
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
    const result = await this.queries.run<FilteredRow>(
      `log-filtered-${filter.shape}`,
      this.queries.sql.filteredLog[filter.shape],
      [from.commit.toString(), from.prepare.toString(), limit, ...filter.values],
    );
    const { scanned_commit: scannedCommit, scanned_seq: scannedSeq } = result.rows[0]!;
    const rows = pageRows(result.rows);
    const scannedUpTo =
      rows.length === limit ? rowPosition(rows[rows.length - 1]!)
      : scannedCommit === null || scannedSeq === null ? undefined
      : { commit: BigInt(scannedCommit), prepare: BigInt(scannedSeq) };
    return { rows, scannedUpTo, ...orderingOf(result.rows) };
  }

  /**
   * Read-your-writes for the global log: rows up to transaction `target` (the newest stored when a read found rows
   * held back) are ordered once every older transaction has ended, usually within milliseconds. Waits for that, up to
   * `orderingWaitMs`. Returns false when `signal` aborted meanwhile (the store or the reader closed), so the caller
   * keeps what it has read.
   */
  async awaitOrdering(target: bigint, signal: AbortSignal = this.closing): Promise<boolean> {
    const deadline = Date.now() + this.orderingWaitMs;
    for (let pause = 1; ; pause = Math.min(pause * 2, 50)) {
      await delay(pause, signal);
      if (signal.aborted) return false;
      const result = await this.queries.run<{ bound: string }>('ordering', this.queries.sql.ordering);
      if (target < BigInt(result.rows[0]!.bound) || Date.now() >= deadline) return true;
    }
  }
}
