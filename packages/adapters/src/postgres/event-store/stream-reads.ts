import type { ReadStreamOptions, RecordedEvent } from '@clusterconf/domain';
import { StreamNotFoundError } from '@clusterconf/domain';
import { pagedEvents, STOP } from '../../shared/paged-events.js';
import { readStreamWindow, type StreamWindow } from '../../shared/read-stream-window.js';
import { decodeEventRow, type EventRow } from './event-rows.js';
import type { StoreQueries } from './store-queries.js';

/** The highest revision a bigint column holds. */
export const MAX_REVISION = 2n ** 63n - 1n;

/**
 * One stream in revision order, in pages of at most `defaultPageSize` rows by revision range. Not bounded by the
 * log's ordering bound: a stream's revisions are its order, so a writer always reads its own writes.
 */
export const readPostgresStream = (
  queries: StoreQueries,
  streamId: string,
  options: ReadStreamOptions,
  defaultPageSize: number,
  assertOpen: () => void,
): AsyncIterable<RecordedEvent> => {
  let window: StreamWindow;
  let pageSize: bigint;
  let cursor: bigint;
  const fetch = async (): Promise<EventRow[]> => {
    const end = cursor + window.step * (pageSize - 1n);
    const to = end > MAX_REVISION ? MAX_REVISION : end;
    const [low, high] = window.step === 1n ? [cursor, to] : [to, cursor];
    cursor += window.step * pageSize;
    const forwards = window.step === 1n;
    const result = await queries.run<EventRow>(
      forwards ? 'stream-fwd' : 'stream-bwd',
      forwards ? queries.sql.streamForwards : queries.sql.streamBackwards,
      [streamId, low.toString(), high.toString()],
    );
    return result.rows;
  };
  const streamHead = async (): Promise<bigint | undefined> => {
    const head = await queries.run<{ revision: string }>('stream-head', queries.sql.streamHead, [streamId]);
    const last = head.rows[0]?.revision;
    return last === undefined ? undefined : BigInt(last);
  };
  return pagedEvents<EventRow>({
    first: async () => {
      assertOpen();
      pageSize = BigInt(Math.max(1, Math.min(defaultPageSize, Math.floor(options.maxCount ?? Number.POSITIVE_INFINITY))));
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
    take: (row) => (window.includes(BigInt(row.stream_revision)) ? decodeEventRow(row) : STOP),
  });
};
