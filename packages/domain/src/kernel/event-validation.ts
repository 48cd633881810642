import type { NewEvent } from './event.js';
import type { EventFilter } from './event-store.js';
import { InvalidEventError, InvalidStreamIdError } from './errors.js';

/** The longest stream id any adapter accepts, in characters. */
export const MAX_STREAM_ID_LENGTH = 255;

/** The default limit on one event's serialised data plus metadata, in bytes (1 MiB). */
export const DEFAULT_MAX_EVENT_BYTES = 1024 * 1024;

// eslint-disable-next-line no-control-regex
const CONTROL_CHARACTERS = /[\u0000-\u001f\u007f-\u009f]/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Throws `InvalidStreamIdError` unless the id is 1 to 255 characters without control characters. */
export const assertValidStreamId = (streamId: unknown): string => {
  if (typeof streamId !== 'string') {
    throw new InvalidStreamIdError(String(streamId), `expected a string, got ${typeof streamId}`);
  }
  if (streamId.length === 0) throw new InvalidStreamIdError(streamId, 'it is empty; give a non-empty id such as "conference-ecc2020"');
  if (streamId.length > MAX_STREAM_ID_LENGTH) {
    throw new InvalidStreamIdError(streamId, `it has ${streamId.length} characters; the limit is ${MAX_STREAM_ID_LENGTH}`);
  }
  const control = CONTROL_CHARACTERS.exec(streamId);
  if (control) {
    const code = control[0].charCodeAt(0).toString(16).padStart(4, '0');
    throw new InvalidStreamIdError(streamId, `it contains the control character U+${code} at index ${control.index}; remove it`);
  }
  return streamId;
};

/** An event in the form stores write: JSON text for data and metadata, checked for size. */
export interface SerializedEvent {
  readonly eventId: string;
  readonly type: string;
  readonly data: string;
  readonly metadata: string;
  readonly event: NewEvent;
}

const stringify = (streamId: string, type: string, what: string, value: unknown): string => {
  let text: string | undefined;
  try {
    text = JSON.stringify(value);
  } catch (cause) {
    throw new InvalidEventError(streamId, type, `its ${what} cannot be serialised to JSON (${(cause as Error).message}); ` +
      `use plain objects, strings, numbers and booleans, and bigints as strings`, { cause });
  }
  if (text === undefined) {
    throw new InvalidEventError(streamId, type, `its ${what} is ${typeof value}, which JSON cannot hold; give an object`);
  }
  return text;
};

/**
 * Validates and serialises a batch before any write: every stream id, type, eventId and payload is checked, and the
 * first problem throws, so a refused batch writes nothing.
 */
export const serializeEvents = (
  streamId: string,
  events: readonly NewEvent[],
  maxEventBytes: number = DEFAULT_MAX_EVENT_BYTES,
): SerializedEvent[] => {
  assertValidStreamId(streamId);
  if (!Array.isArray(events) || events.length === 0) {
    throw new InvalidEventError(streamId, '(none)', 'an append needs at least one event');
  }
  const seen = new Set<string>();
  return events.map((event) => {
    const type: unknown = event?.type;
    if (typeof type !== 'string' || type.length === 0 || type.length > MAX_STREAM_ID_LENGTH) {
      throw new InvalidEventError(streamId, String(type), 'its type must be a non-empty string of at most 255 characters');
    }
    if (type.startsWith('$')) {
      // EventStoreDB keeps `$` types for its own system events, which every reader of the log skips: a user event so
      // named would be stored and then never read, on every store alike.
      throw new InvalidEventError(streamId, type, 'types starting with "$" are reserved for the event store\'s system events; rename the type');
    }
    const metadata = event.metadata;
    if (typeof metadata?.eventId !== 'string' || !UUID.test(metadata.eventId)) {
      throw new InvalidEventError(streamId, type, `its metadata.eventId ${JSON.stringify(metadata?.eventId)} is not a UUID; create it with newEventId()`);
    }
    // A UUID's hex digits are case-insensitive (RFC 9562), and stores that keep ids as uuids compare them so: the same
    // id in two cases is one id, and must be refused here rather than reach a store as two.
    const id = metadata.eventId.toLowerCase();
    if (seen.has(id)) {
      throw new InvalidEventError(streamId, type, `eventId ${metadata.eventId} appears twice in one append (ids compare ` +
        `case-insensitively); give each event its own id`);
    }
    seen.add(id);
    if (typeof metadata.schemaVersion !== 'number' || !Number.isInteger(metadata.schemaVersion) || metadata.schemaVersion < 1) {
      throw new InvalidEventError(streamId, type, `its metadata.schemaVersion ${JSON.stringify(metadata.schemaVersion)} is not a whole number >= 1`);
    }
    const data = stringify(streamId, type, 'data', event.data);
    const meta = stringify(streamId, type, 'metadata', metadata);
    const bytes = Buffer.byteLength(data) + Buffer.byteLength(meta);
    if (bytes > maxEventBytes) {
      throw new InvalidEventError(streamId, type, `it is ${bytes} bytes serialised; the limit is ${maxEventBytes} (raise maxEventBytes or store large payloads elsewhere)`);
    }
    return { eventId: metadata.eventId, type, data, metadata: meta, event };
  });
};

/** True when an event of this stream and type passes `filter`, as `EventFilter` defines it (absent fields match all). */
export const matchesFilter = (filter: EventFilter | undefined, streamId: string, type: string): boolean =>
  (filter?.eventTypes === undefined || filter.eventTypes.includes(type) ||
    (filter.orTypesNotIn !== undefined && !filter.orTypesNotIn.includes(type))) &&
  (filter?.streamPrefixes === undefined || filter.streamPrefixes.some((prefix) => streamId.startsWith(prefix)));
