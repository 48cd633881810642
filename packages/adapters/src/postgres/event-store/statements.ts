import { EVENT_COLUMN_NAMES, EVENT_COLUMNS, type EventRow } from './event-rows.js';
import { LOG_FILTER_SHAPES, logFilterCondition, type LogFilterShape } from './log-filter.js';
import { progressStatement } from './log-progress.js';
import { quoteSchema } from './schema-name.js';

/** What `append_events` returns; see the migration. */
export interface AppendRow {
  /** `condition`: the condition failed, and `commit_id`/`seq` are the first conflicting event's position. */
  readonly outcome: 'appended' | 'conflict' | 'condition';
  readonly stream_revision: string | null;
  readonly commit_id: string | null;
  readonly seq: string | null;
}

/** A row of a query page: an event, and the ordering bound of the page's snapshot. */
export type QueryRow = EventRow & { readonly bound: string };

/** An already stored event, as the idempotency lookup returns it. */
export interface StoredRow {
  readonly stream_id: string;
  readonly stream_revision: string;
  readonly commit_id: string;
  readonly seq: string;
  readonly type: string;
  readonly event_id: string;
}

/** The ordering state of a snapshot: the newest stored transaction id and the bound below which rows are ordered. */
export interface OrderingColumns {
  readonly newest: string;
  readonly bound: string;
}

/** A row of a checked log read: an event's columns (all null on the one row of an empty page) and the ordering. */
export type CheckedRow = (EventRow | { readonly [Column in keyof EventRow]: null }) & OrderingColumns;

/** A row of a filtered log read: a checked row, and the last visible row after the reader's position (or nulls). */
export type FilteredRow = CheckedRow & { readonly scanned_commit: string | null; readonly scanned_seq: string | null };

/** The head of the ordered log, when it has one. */
export interface HeadRow {
  readonly commit_id: string;
  readonly seq: string;
}

/** The head and the ordering state, from one snapshot. */
export type CheckedHeadRow = { readonly [Column in keyof HeadRow]: string | null } & OrderingColumns;

/**
 * The store's SQL for one schema. Values always travel as parameters; only the validated schema is spliced in.
 * Every statement names its output columns, which the store reads by those names.
 */
export const postgresStatements = (schema: string) => {
  const q = quoteSchema(schema);
  const visible = 'transaction_id < pg_snapshot_xmin(pg_current_snapshot())';
  const newest = `coalesce((select transaction_id from ${q}.events order by transaction_id desc limit 1), '0'::xid8)`;
  // EVENT_COLUMNS by their output names, as the checked read selects them from its lateral page.
  const pageColumns = EVENT_COLUMN_NAMES.map((column) => `page.${column}`).join(', ');
  const afterReader = `transaction_id < ordering.bound and (transaction_id, seq) > ($1::text::xid8, $2::bigint)`;
  // A page of ordered rows after the reader's position with the ordering state, in one snapshot; filtered by
  // `condition`, it also reports the last visible row after the position, matching or not.
  const checkedPage = (condition: string | undefined) => `select ${pageColumns}, ordering.newest::text as newest, ordering.bound::text as bound${
    condition === undefined ? '' : ', scanned.commit_id as scanned_commit, scanned.seq as scanned_seq'}
      from (select ${newest} as newest, pg_snapshot_xmin(pg_current_snapshot()) as bound) ordering${condition === undefined ? '' : `
      left join lateral (select transaction_id::text as commit_id, seq::text as seq from ${q}.events
        where ${afterReader} order by events.transaction_id desc, events.seq desc limit 1) scanned on true`}
      left join lateral (select ${EVENT_COLUMNS}, events.transaction_id as sort_tx, events.seq as sort_seq from ${q}.events
        where ${afterReader}${condition === undefined ? '' : ` and ${condition}`}
        order by events.transaction_id, events.seq limit $3) page on true
      order by page.sort_tx, page.sort_seq`;
  return {
    append: `select outcome, stream_revision::text as stream_revision, commit_id, seq::text as seq
      from ${q}.append_events($1, $2, $3::uuid[], $4::text[], $5::text[], $6::text[], $7::text[], $8::int[], $9::bigint[], $10::boolean[],
        $11::boolean, $12::text[], $13::text[], $14::int[], $15::text[], $16::text[], $17::int[], $18::text[], $19::boolean, $20::text::xid8, $21::bigint)`,
    // A page of a query's events after a position, with the ordering bound of the same snapshot on every row, so the
    // reader can tell the rows it may return (below the bound) from those a running transaction still holds back.
    // Each event is fetched by its key, laterally (OFFSET 0 keeps the planner from turning it into a join that could
    // hash the whole table).
    queryPage: `select ${EVENT_COLUMN_NAMES.join(', ')}, ordering.bound::text as bound
      from (select pg_snapshot_xmin(pg_current_snapshot()) as bound) ordering
      cross join ${q}.matching_positions($1::text[], $2::text[], $3::int[], $4::text[], $5::text[], $6::int[], $7::text[], $8::boolean,
        $9::text::xid8, $10::bigint, $11::int) matched
      cross join lateral (select ${EVENT_COLUMNS} from ${q}.events
        where events.transaction_id = matched.position_tx and events.seq = matched.position_seq offset 0) page
      order by matched.position_tx, matched.position_seq`,
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
    ordering: `select pg_snapshot_xmin(pg_current_snapshot())::text as bound`,
    progress: progressStatement(q),
    head: `select transaction_id::text as commit_id, seq::text as seq from ${q}.events
      where ${visible} order by events.transaction_id desc, events.seq desc limit 1`,
    headChecked: `select head.commit_id, head.seq, ordering.newest::text as newest, ordering.bound::text as bound
      from (select ${newest} as newest, pg_snapshot_xmin(pg_current_snapshot()) as bound) ordering
      left join lateral (select transaction_id::text as commit_id, seq::text as seq from ${q}.events
        where transaction_id < ordering.bound order by events.transaction_id desc, events.seq desc limit 1) head on true`,
  };
};

/** The SQL texts of one schema's store. */
export type PostgresStatements = ReturnType<typeof postgresStatements>;
