import type { Position, Query, QueryReadOptions, RecordedEvent } from '@clusterconf/domain';
import { prepareQueryRead } from '@clusterconf/domain';
import { pagedEvents } from '../../shared/paged-events.js';
import { decodeEventRow, rowPosition } from './event-rows.js';
import type { OrderedLog } from './log-reads.js';
import { NO_SCANS, scanParameters, type ScanParameters } from './query-parameters.js';
import type { QueryRow } from './statements.js';
import type { StoreQueries } from './store-queries.js';

const FROM_START = { commit: 0n, prepare: 0n };

/**
 * `DcbEventStore.read` on PostgreSQL: pages of `pageSize` events matching the query (`matching_positions`), in log order.
 *
 * Only events below the ordering bound are returned, as `readAll` does, because a query read's last position becomes
 * an append condition's `after`: an event of a transaction still running may commit later with a position before
 * that one, and a check "anything matching after `after`?" would then never see it. Below the bound no such event can
 * appear (see `PostgresEventStore`). A page whose matching rows include some held back is the end of what can be
 * returned now: the reader waits (up to `orderingWaitMs`) for the transactions holding them back to end and reads the
 * page again, so a writer reads its own writes. Only matching rows held back cause a wait, not the rest of the log.
 * When the wait runs out, the read ends with the rows ordered so far: what it returns is still a true prefix of the
 * query's events, so a condition built on it is sound, and at worst fails on the rows that were held back.
 */
export const readPostgresQuery = (
  queries: StoreQueries,
  log: OrderedLog,
  query: Query,
  options: QueryReadOptions | undefined,
  pageSize: number,
  assertOpen: () => void,
): AsyncIterable<RecordedEvent> => {
  let scans: ScanParameters = NO_SCANS;
  let remaining = 0;
  let limit = 0;
  let ended = false;

  const page = async (after: Position | undefined): Promise<QueryRow[]> => {
    limit = Math.min(pageSize, remaining);
    if (limit <= 0) return [];
    const from = after ?? FROM_START;
    const deadline = Date.now() + log.orderingWaitMs;
    for (;;) {
      const { rows } = await queries.run<QueryRow>('query-page', queries.sql.queryPage, [...scans, from.commit.toString(), from.prepare.toString(), limit]);
      // Rows are in (transaction id, seq) order, so the ones held back, at or above the bound, are the last ones.
      const bound = rows.length === 0 ? 0n : BigInt(rows[0]!.bound);
      const held = rows.findIndex((row) => BigInt(row.commit_id) >= bound);
      if (held < 0) {
        remaining -= rows.length;
        return rows;
      }
      const newest = BigInt(rows[rows.length - 1]!.commit_id);
      if (Date.now() >= deadline || !(await log.awaitOrdering(newest))) {
        ended = true;
        remaining -= held;
        return rows.slice(0, held);
      }
    }
  };

  return pagedEvents<QueryRow>({
    first: async () => {
      assertOpen();
      const prepared = prepareQueryRead(query, options);
      scans = scanParameters(prepared.query);
      remaining = prepared.limit;
      return page(prepared.after);
    },
    next: (rows) => (!ended && rows.length === limit && remaining > 0 ? page(rowPosition(rows[rows.length - 1]!)) : undefined),
    take: decodeEventRow,
  });
};
