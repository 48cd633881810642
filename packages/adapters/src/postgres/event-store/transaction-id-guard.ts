import type pg from 'pg';
import { ClusterconfError } from '@clusterconf/domain';

/**
 * The schema holds events from transaction ids this server has not handed out yet: it was copied from another cluster
 * logically, so new appends would sort before stored events.
 */
export class TransactionIdsAheadError extends ClusterconfError {
  readonly code = 'TRANSACTION_IDS_AHEAD_OF_SERVER';
  constructor(readonly schema: string, readonly newestStored: bigint, readonly serverNext: bigint) {
    super(
      `Schema "${schema}" holds events written by transaction ${newestStored}, but this PostgreSQL server has only ` +
        `reached transaction ${serverNext}: the events were most likely copied from another cluster logically (pg_dump and ` +
        `restore, or logical replication), which restarts transaction ids lower. Positions are transaction ids, so new ` +
        `appends would sort before stored events, and readers past those would never see them; the store refuses to ` +
        `open. Re-append the events into a fresh schema (clusterconf export, then clusterconf import), or move the ` +
        `database with a physical copy (a streaming replica, pg_basebackup or pg_upgrade), which keeps transaction ids`,
    );
  }
}

/**
 * Refuses a schema whose newest stored transaction id is not below the server's next one (`pg_snapshot_xmax`). On the
 * server that wrote them every stored id is below it, so this only fails for rows written elsewhere: a logical copy
 * into a cluster whose transaction counter is still behind the source's. Reads one index entry.
 */
export const assertTransactionIdsBehindServer = async (client: pg.ClientBase, schema: string, q: string): Promise<void> => {
  const { rows } = await client.query<{ newest: string | null; next: string }>(
    `select (select transaction_id from ${q}.events order by transaction_id desc limit 1)::text as newest,
            pg_snapshot_xmax(pg_current_snapshot())::text as next`,
  );
  const { newest, next } = rows[0]!;
  if (newest !== null && BigInt(newest) >= BigInt(next)) throw new TransactionIdsAheadError(schema, BigInt(newest), BigInt(next));
};
