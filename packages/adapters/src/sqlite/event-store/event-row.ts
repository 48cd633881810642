import type { EventMetadata, RecordedEvent, UnreadableEvent } from '@clusterconf/domain';
import { CorruptEventError, formatPosition, metadataProblem, NO_TAGS, sequencePosition } from '@clusterconf/domain';

/**
 * The columns every read selects, in this order. Rows are fetched raw (as arrays): about 13 % of the memory rebuild
 * (bench/suites/projection-rebuild.ts) against row objects.
 */
export const EVENT_COLUMNS = 'position, stream_id, stream_revision, type, data, metadata, tags';

/** `EVENT_COLUMNS` of the events table aliased `e`, for statements that join it. */
export const EVENT_COLUMNS_OF_E = 'e.position, e.stream_id, e.stream_revision, e.type, e.data, e.metadata, e.tags';

/** A row of `EVENT_COLUMNS` in raw mode; `tags` is the JSON array of the event's tags, or null for none. */
export type EventRow = [position: number, streamId: string, streamRevision: number, type: string, data: string, metadata: string, tags: string | null];

/**
 * Turns a stored row into a `RecordedEvent`. Malformed JSON, or metadata that breaks the event contract
 * (`metadataProblem`: a row edited by hand, or written before appends checked it), throws `CorruptEventError` naming
 * stream, revision and position, and only for this row, so reads that do not reach it are unaffected.
 */
export const eventFromRow = (row: EventRow): RecordedEvent => {
  const [position, streamId, revision, type, data] = row;
  const metadata = parseColumn(row, 'metadata', row[5]);
  const problem = metadataProblem(metadata);
  if (problem !== undefined) throw corrupt(row, problem);
  return {
    streamId,
    streamRevision: BigInt(revision),
    position: sequencePosition(BigInt(position)),
    type,
    data: parseColumn(row, 'data', data),
    metadata: metadata as EventMetadata,
    tags: row[6] === null ? NO_TAGS : tagsOf(row, row[6]),
  };
};

/** The stored tags column as a list; a column edited into anything but an array of strings is a corrupt row. */
const tagsOf = (row: EventRow, text: string): readonly string[] => {
  const tags = parseColumn(row, 'tags', text);
  if (!Array.isArray(tags) || !tags.every((tag) => typeof tag === 'string')) {
    throw corrupt(row, `its tags column holds ${text.length > 60 ? `${text.slice(0, 60)}…` : text}, not a JSON array of strings`);
  }
  return tags;
};

const corrupt = (row: EventRow, reason: string, cause?: unknown): CorruptEventError =>
  new CorruptEventError(String(row[1]), BigInt(row[2]), formatPosition(sequencePosition(BigInt(row[0]))), reason, { cause });

const parseColumn = (row: EventRow, column: string, text: string): unknown => {
  try {
    return JSON.parse(text);
  } catch (cause) {
    throw corrupt(row, `its ${column} column is not valid JSON (${(cause as Error).message})`, cause);
  }
};

/**
 * A row `eventFromRow` refused with `error`, placed for a subscription's `unreadable` message. SQLite columns keep a
 * value of any type, so a hand edit can also leave a blob where the stream id or type belongs (a TEXT column turns
 * numbers into text, not blobs): such a row cannot be placed or routed, and `error` is thrown again.
 */
export const unreadableFromRow = (row: EventRow, error: CorruptEventError): UnreadableEvent => {
  const [position, streamId, revision, type] = row;
  if (typeof streamId !== 'string' || typeof type !== 'string') throw error;
  return { streamId, streamRevision: BigInt(revision), position: sequencePosition(BigInt(position)), type, error };
};
