import type { HeldTransaction, LogProgress, Position } from '@clusterconf/domain';
import { comparePositions, isAfter } from '@clusterconf/domain';
import { EXACT_COUNT_LIMIT, extrapolatedCount } from '../../shared/estimated-count.js';

/**
 * A holder younger than this is not reported. The store's own appends hold a transaction id for the length of one
 * statement, and a read-model batch for one commit, so a bound held by them moves on within milliseconds; naming them
 * would make a status call report the library's own writes in flight. (The store's reading connections never hold
 * an id, so they can never be the holder.) A transaction that has run this long is worth naming, whoever runs it.
 */
export const HOLD_REPORTED_AFTER_MS = 1_000;

/** The one row of the progress statement; positions as text, so no precision is lost. */
export interface ProgressRow {
  readonly bound: string;
  readonly head_commit: string | null;
  readonly head_seq: string | null;
  readonly last_commit: string | null;
  readonly last_seq: string | null;
  readonly counted: number;
  readonly counted_commit: string | null;
  readonly counted_seq: string | null;
  /** Whether the bound's transaction still ran when the holder was looked up; null when nothing is held. */
  readonly holder_status: string | null;
  readonly holder_pid: number | null;
  readonly holder_database: string | null;
  readonly holder_since: Date | null;
  readonly holder_age_ms: number | null;
  readonly holder_gid: string | null;
}

/**
 * The statement behind `progressAfter`, for the quoted schema `q`; parameters: the checkpoint's transaction id and
 * sequence number, and the count limit. One snapshot gives the ordering bound, the head readers can reach (below the
 * bound), the last committed row in log order (at or above the bound when rows are held back), and the committed rows
 * after the checkpoint in (transaction_id, seq) order, counted up to the limit along the primary key. Rows above the
 * bound are counted too: they are committed and undelivered, which is lag.
 *
 * The holder. The bound is the oldest transaction id still running anywhere in the cluster (a session's snapshot,
 * `backend_xmin`, does not move it; an id does), so the transaction holding delivery back is exactly the one whose id
 * is the bound: a backend's `backend_xid` in `pg_stat_activity` (every database of the cluster) or a prepared
 * transaction in `pg_prepared_xacts`. It is looked up only when committed rows lie at or above the bound, and
 * `pg_xact_status` tells a holder that has ended since the snapshot from one the server keeps from this role
 * (`pg_stat_activity` shows other roles' transaction ids only to members of `pg_read_all_stats`).
 */
export const progressStatement = (q: string): string => `
  with ordering as materialized (select pg_snapshot_xmin(pg_current_snapshot()) as bound),
  counted as materialized (
    select transaction_id, seq from ${q}.events
    where (transaction_id, seq) > ($1::text::xid8, $2::bigint)
    order by transaction_id, seq limit $3)
  select ordering.bound::text as bound, head.commit_id as head_commit, head.seq as head_seq,
    stored.commit_id as last_commit, stored.seq as last_seq,
    (select count(*) from counted)::int as counted, counted_last.commit_id as counted_commit, counted_last.seq as counted_seq,
    case when stored.transaction_id >= ordering.bound then pg_xact_status(ordering.bound) end as holder_status,
    holder.pid as holder_pid, holder.database as holder_database, holder.since as holder_since,
    extract(epoch from clock_timestamp() - holder.since)::float8 * 1000 as holder_age_ms, holder.gid as holder_gid
  from ordering
  left join lateral (select transaction_id::text as commit_id, seq::text as seq from ${q}.events
    where transaction_id < ordering.bound order by events.transaction_id desc, events.seq desc limit 1) head on true
  left join lateral (select transaction_id, transaction_id::text as commit_id, seq::text as seq from ${q}.events
    order by events.transaction_id desc, events.seq desc limit 1) stored on true
  left join lateral (select transaction_id::text as commit_id, seq::text as seq from counted
    order by counted.transaction_id desc, counted.seq desc limit 1) counted_last on true
  left join lateral (
    select activity.pid, activity.datname::text as database, activity.xact_start as since, null::text as gid
      from pg_stat_activity activity
      where stored.transaction_id >= ordering.bound and activity.backend_xid = ordering.bound::xid
    union all
    select null, prepared.database::text, prepared.prepared, prepared.gid
      from pg_prepared_xacts prepared
      where stored.transaction_id >= ordering.bound and prepared.transaction = ordering.bound::xid
    limit 1) holder on true`;

const positionOf = (commit: string | null, seq: string | null): Position | undefined =>
  commit === null || seq === null ? undefined : { commit: BigInt(commit), prepare: BigInt(seq) };

/** The transaction named in `row` when it still holds committed rows after `after`, and has for a while. */
const heldBy = (row: ProgressRow, last: Position | undefined, after: Position | undefined): HeldTransaction | undefined => {
  if (last === undefined || !isAfter(last, after) || row.holder_status !== 'in progress') return undefined;
  if (row.holder_age_ms !== null && row.holder_age_ms < HOLD_REPORTED_AFTER_MS) return undefined;
  return {
    transactionId: row.bound,
    since: row.holder_since?.toISOString(),
    database: row.holder_database ?? undefined,
    pid: row.holder_pid ?? undefined,
    preparedAs: row.holder_gid ?? undefined,
  };
};

/**
 * `progressAfter`'s answer from the statement's row. Beyond the count limit the rest is extrapolated over sequence
 * numbers: the counted rows' density over their span of sequence numbers (which holds the holes rolled-back appends
 * leave) times the span from the last counted row to the last stored one.
 */
export const logProgressOf = (row: ProgressRow, after: Position | undefined): LogProgress => {
  const last = positionOf(row.last_commit, row.last_seq);
  const countedLast = positionOf(row.counted_commit, row.counted_seq);
  const held = heldBy(row, last, after);
  const progress = { head: positionOf(row.head_commit, row.head_seq), ...(held === undefined ? {} : { heldBy: held }) };
  if (row.counted < EXACT_COUNT_LIMIT || countedLast === undefined || last === undefined || comparePositions(countedLast, last) >= 0) {
    return { ...progress, eventsAfter: row.counted, eventsAfterIs: 'exact' };
  }
  const start = after?.prepare ?? 0n;
  const eventsAfter = extrapolatedCount(row.counted, countedLast.prepare - start, last.prepare - countedLast.prepare);
  return { ...progress, eventsAfter, eventsAfterIs: 'estimate' };
};
