import type { EventMetadata, Position, RecordedEvent } from '@clusterconf/domain';
import { CorruptEventError, formatPosition, metadataProblem, NO_TAGS } from '@clusterconf/domain';

/** The columns every read selects, with xid8 and bigint cast to text so no precision is lost in JavaScript. */
export const EVENT_COLUMNS = 'stream_id, stream_revision::text as stream_revision, transaction_id::text as commit_id, seq::text as seq, type, data, metadata, ' +
  // No tags is null rather than '{}', so the driver parses no array for the untagged events most logs are made of.
  "nullif(tags, '{}') as tags";

/** The output names of `EVENT_COLUMNS`, for statements that select them again from a subquery. */
export const EVENT_COLUMN_NAMES = ['stream_id', 'stream_revision', 'commit_id', 'seq', 'type', 'data', 'metadata', 'tags'] as const;

/** A row of `EVENT_COLUMNS` as node-pg returns it, keyed by the columns' output names. */
export interface EventRow {
  readonly stream_id: string;
  readonly stream_revision: string;
  readonly commit_id: string;
  readonly seq: string;
  readonly type: string;
  readonly data: string;
  readonly metadata: string;
  /** The event's tags; null when it has none. */
  readonly tags: string[] | null;
}

/** The log position of a row: the appending transaction's id, then the row's sequence number. */
export const rowPosition = (row: EventRow): Position => ({ commit: commitOf(row.commit_id), prepare: BigInt(row.seq) });

// Consecutive rows mostly come from one transaction, so the last conversion is usually the next one too.
let lastCommitText = '';
let lastCommit = 0n;
const commitOf = (text: string): bigint => {
  if (text !== lastCommitText) {
    lastCommit = BigInt(text);
    lastCommitText = text;
  }
  return lastCommit;
};

/**
 * Turns a stored row into an event. Data and metadata are text columns, so a row edited by hand (or written before
 * the event contract was checked on append) can hold anything: unparseable JSON, or metadata that breaks the contract
 * (`metadataProblem`), raises `CorruptEventError` naming the row, and other rows are unaffected.
 */
export const decodeEventRow = (row: EventRow): RecordedEvent => {
  const { stream_id: streamId, type } = row;
  const position = rowPosition(row);
  const streamRevision = BigInt(row.stream_revision);
  const corrupt = (reason: string, cause?: unknown) =>
    new CorruptEventError(streamId, streamRevision, formatPosition(position), reason, { cause });
  let data: unknown;
  let metadata: unknown;
  try {
    data = JSON.parse(row.data);
  } catch (cause) {
    throw corrupt(`its data is not valid JSON (${(cause as Error).message})`, cause);
  }
  try {
    metadata = JSON.parse(row.metadata);
  } catch (cause) {
    throw corrupt(`its metadata is not valid JSON (${(cause as Error).message})`, cause);
  }
  const problem = metadataProblem(metadata);
  if (problem !== undefined) throw corrupt(problem);
  return { streamId, streamRevision, position, type, data, metadata: metadata as EventMetadata, tags: row.tags ?? NO_TAGS };
};
