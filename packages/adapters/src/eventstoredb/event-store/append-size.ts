import { InvalidEventError, type SerializedEvent } from '@clusterconf/domain';
import type { ClientEventData } from '../client/client-seam.js';
import { ESDB_CAUSATION, ESDB_CORRELATION, STRING_DATA } from './recorded-event.js';

/** EventStoreDB's default `--max-append-size`, in bytes: the limit on one whole append. */
export const DEFAULT_MAX_APPEND_BYTES = 1_048_576;

const byteLength = (value: unknown): number =>
  value instanceof Uint8Array ? value.length : value === undefined ? 0 : Buffer.byteLength(JSON.stringify(value), 'utf8');

/**
 * The size EventStoreDB counts against `--max-append-size` for one append, from the events exactly as the client
 * sends them: per event its `Event.SizeOnDisk`, i.e. the JSON data and custom metadata in UTF-8 bytes (the metadata
 * with what the adapter adds to it, `$correlationId`, `$causationId`, ...) plus the type as UTF-16, two bytes a
 * character; summed over the whole append, since the server's limit is per append, not per event.
 */
export const appendSizeOf = (events: readonly ClientEventData[]): number =>
  events.reduce((size, event) => size + byteLength(event.data) + byteLength(event.metadata) + 2 * event.type.length, 0);

const memberBytes = (key: string, value: unknown): number => Buffer.byteLength(`,${JSON.stringify(key)}:${JSON.stringify(value)}`);

/**
 * An upper bound of `appendSizeOf`, from the events as the kernel already serialised them, so that an append well
 * under the limit costs no second serialisation: the client sends the same data JSON, and metadata that is the
 * kernel's plus at most the members the adapter adds (the kernel refuses metadata fields named with "$", so none
 * replaces a member of the application's own).
 */
export const appendSizeBound = (events: readonly SerializedEvent[]): number =>
  events.reduce(
    (size, { data, metadata, type, event }) =>
      size + Buffer.byteLength(data) + Buffer.byteLength(metadata) + 2 * type.length +
      memberBytes(ESDB_CORRELATION, event.metadata.correlationId) + memberBytes(ESDB_CAUSATION, event.metadata.causationId) +
      memberBytes(STRING_DATA, true),
    0,
  );

/** The advice every size refusal gives, from the adapter or from the server. */
export const APPEND_SIZE_ADVICE =
  'split the events over several appends (each one atomic on its own) or make them smaller, or raise the ' +
  "server's --max-append-size and the adapter's maxAppendBytes together";

/**
 * Refuses an append whose size, counted as EventStoreDB counts it, is over `limit`, before anything is sent. The exact
 * count runs only when the bound from the kernel's serialisation (`serialized`, the same events) exceeds the limit.
 */
export const assertAppendSize = (streamId: string, serialized: readonly SerializedEvent[], events: readonly ClientEventData[], limit: number): void => {
  if (appendSizeBound(serialized) <= limit) return;
  const size = appendSizeOf(events);
  if (size <= limit) return;
  throw new InvalidEventError(
    streamId,
    events.length === 1 ? events[0]!.type : `(batch of ${events.length})`,
    `the append is ${size} bytes (data, metadata including the adapter's $correlationId/$causationId, and type of ` +
      `every event, counted as EventStoreDB counts them), over the limit of ${limit} bytes per append (maxAppendBytes, ` +
      `which mirrors the server's --max-append-size, 1,048,576 by default); ${APPEND_SIZE_ADVICE}`,
  );
};
