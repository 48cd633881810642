import type { EventMetadata, NewEvent, Position, RecordedEvent } from '@clusterconf/domain';
import { CorruptEventError, formatPosition, metadataProblem, NO_TAGS } from '@clusterconf/domain';
import type { ClientEventData, ClientRecordedEvent } from '../client/client-seam.js';

/** EventStoreDB's own metadata keys for correlation and causation, which its tooling and projections read. */
export const ESDB_CORRELATION = '$correlationId';
export const ESDB_CAUSATION = '$causationId';
/**
 * Marks an event whose data is a JSON string. The client hands back the raw text of data that is not valid JSON as
 * a string too, so without the mark a malformed payload could not be told from a string payload.
 */
export const STRING_DATA = '$clusterconfStringData';
/**
 * An event's tags, in its custom metadata: EventStoreDB has no field for them. Written only for an event that has
 * tags, and taken out again on read, so they come back as the event's `tags`, never as a metadata field.
 */
export const TAGS = '$clusterconfTags';

/** True for EventStoreDB's system events (`$`-prefixed types), which the port never returns. */
export const isSystemEvent = (event: ClientRecordedEvent): boolean => event.type.startsWith('$');

/** A kernel event as the client's JSON event: eventId becomes the EventStoreDB event id, metadata its custom metadata. */
export const toEventData = (event: NewEvent): ClientEventData => {
  // Copy-then-set: object spread with extra keys measured several times slower here, on the append hot path.
  const metadata = Object.assign({} as Record<string, unknown>, event.metadata);
  metadata[ESDB_CORRELATION] = event.metadata.correlationId;
  metadata[ESDB_CAUSATION] = event.metadata.causationId;
  if (typeof event.data === 'string') metadata[STRING_DATA] = true;
  if (event.tags !== undefined && event.tags.length > 0) metadata[TAGS] = event.tags;
  return { id: event.metadata.eventId, type: event.type, contentType: 'application/json', data: event.data, metadata };
};

const isPlainObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value) && !(value instanceof Uint8Array);

/**
 * The client's event as the kernel's RecordedEvent. An event that is not JSON (binary content type, or data that
 * does not parse), or whose metadata is not a JSON object or breaks the event contract once completed
 * (`metadataProblem`), throws CorruptEventError naming stream, revision, position and type. Metadata fields that an
 * event written by another producer lacks are filled from EventStoreDB's own record first: eventId from its id,
 * occurredAt from its created time, correlationId and causationId from EventStoreDB's `$correlationId` and
 * `$causationId` (else its id), schemaVersion 1. A field that is present but malformed is never replaced.
 */
export const toRecordedEvent = (event: ClientRecordedEvent): RecordedEvent => {
  const position: Position = event.position ?? { commit: -1n, prepare: -1n };
  const corrupt = (reason: string) =>
    new CorruptEventError(event.streamId, event.revision, event.position ? formatPosition(position) : 'unknown', `event "${event.type}" ${reason}`);
  if (!event.isJson) throw corrupt('is stored with a binary content type, not application/json, so its data cannot be read as JSON');
  if (event.metadata !== undefined && !isPlainObject(event.metadata)) {
    throw corrupt('has custom metadata that is not a JSON object');
  }
  const stored = (event.metadata ?? {}) as Record<string, unknown>;
  if (typeof event.data === 'string' && stored[STRING_DATA] !== true) {
    throw corrupt(`has data that is not valid JSON (it begins ${JSON.stringify(event.data.slice(0, 40))})`);
  }
  const tags = stored[TAGS];
  if (tags !== undefined && !(Array.isArray(tags) && tags.every((tag) => typeof tag === 'string'))) {
    throw corrupt(`has ${TAGS} metadata that is not an array of strings`);
  }
  const correlation = stored[ESDB_CORRELATION];
  const causation = stored[ESDB_CAUSATION];
  const metadata: Record<string, unknown> = {
    eventId: event.id,
    occurredAt: typeof stored.occurredAt === 'string' ? stored.occurredAt : event.created.toISOString(),
    correlationId: typeof correlation === 'string' ? correlation : event.id,
    causationId: typeof causation === 'string' ? causation : event.id,
    schemaVersion: 1,
  };
  // A key loop rather than rest destructuring: the read path runs this per event.
  for (const key in stored) if (key !== ESDB_CORRELATION && key !== ESDB_CAUSATION && key !== STRING_DATA && key !== TAGS) metadata[key] = stored[key];
  const problem = metadataProblem(metadata);
  if (problem !== undefined) throw corrupt(`breaks the event contract: ${problem}`);
  return {
    streamId: event.streamId,
    streamRevision: event.revision,
    position,
    type: event.type,
    data: event.data,
    metadata: metadata as unknown as EventMetadata,
    tags: tags === undefined ? NO_TAGS : (tags as string[]),
  };
};
