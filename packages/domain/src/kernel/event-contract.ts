/**
 * The event contract: what every store accepts on append and what every stored event must hold to be read. Stores,
 * the CLI's import and readers all check through these functions, so an event one of them accepts is an event every
 * other one can write and read back unchanged. The rules are listed once, in the domain README ("The event contract").
 */
import type { NewEvent } from './event.js';
import type { AppendOptions } from './event-store.js';
import type { ExpectedRevision } from './expected-revision.js';
import { InvalidEventError, InvalidExpectedRevisionError, InvalidStreamIdError } from './errors.js';
import { exactJsonProblem } from './exact-json.js';
import { isRfc3339Instant } from './rfc3339.js';

/** The longest stream id any adapter accepts, in characters (UTF-16 code units). */
export const MAX_STREAM_ID_LENGTH = 255;

/** The longest event type any adapter accepts, in characters (UTF-16 code units). */
export const MAX_EVENT_TYPE_LENGTH = 255;

/** The default limit on one event's serialised data plus metadata, in bytes (1 MiB). */
export const DEFAULT_MAX_EVENT_BYTES = 1024 * 1024;

/** The highest stream revision: stores keep revisions as signed 64-bit integers. */
export const MAX_STREAM_REVISION = 2n ** 63n - 1n;

/** The longest tag any adapter accepts, in characters (UTF-16 code units): as long as a stream id. */
export const MAX_TAG_LENGTH = 255;

/**
 * The most tags one event may carry. Every tag is an index entry, and on PostgreSQL two lock keys of every append that
 * writes it, so an event is tagged with what queries ask for (its conference, its ballot, its attendee), not with
 * everything it mentions.
 */
export const MAX_TAGS_PER_EVENT = 16;

/** The tags of an event that has none, shared: tags are read-only. */
export const NO_TAGS: readonly string[] = Object.freeze([]);

// eslint-disable-next-line no-control-regex
const CONTROL_CHARACTERS = /[\u0000-\u001f\u007f-\u009f]/;
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** Per UTF-16 code unit: 0 for a hex digit (either case), 1 for `-`, 8 for anything else. */
const UUID_CHARACTER = new Uint8Array(65536).fill(8);
for (const digit of '0123456789abcdefABCDEF') UUID_CHARACTER[digit.charCodeAt(0)] = 0;
UUID_CHARACTER[45] = 1;

/**
 * True for `8-4-4-4-12` hex digits, either case: the four dashes in place and a character sum of exactly 4, so every
 * other character is a hex digit. One table load per character and no branch in the loop: readers check every stored
 * event's id, and this measured about twice as fast as a loop with a branch per character, and three times as fast as
 * the equivalent RegExp.
 */
const isUuid = (text: string): boolean => {
  if (text.length !== 36 || text.charCodeAt(8) !== 45 || text.charCodeAt(13) !== 45 || text.charCodeAt(18) !== 45 || text.charCodeAt(23) !== 45) {
    return false;
  }
  let sum = 0;
  for (let index = 0; index < 36; index += 4) {
    sum += UUID_CHARACTER[text.charCodeAt(index)]! + UUID_CHARACTER[text.charCodeAt(index + 1)]! +
      UUID_CHARACTER[text.charCodeAt(index + 2)]! + UUID_CHARACTER[text.charCodeAt(index + 3)]!;
  }
  return sum === 4;
};

const codePoint = (character: string): string => `U+${character.charCodeAt(0).toString(16).toUpperCase().padStart(4, '0')}`;

/**
 * Why a stream id or type text is not storable as it is, or `undefined`: control characters (a NUL cannot be stored
 * in PostgreSQL text at all), and lone UTF-16 surrogates, which UTF-8 cannot hold, so stores would merge distinct ids
 * ("x\uD800" and "x\uDBFF" both become "x\uFFFD") or read back another one.
 */
const nameProblem = (text: string): string | undefined => {
  const control = CONTROL_CHARACTERS.exec(text);
  if (control) return `it contains the control character ${codePoint(control[0])} at index ${control.index}; remove it`;
  const lone = LONE_SURROGATE.exec(text);
  if (lone) {
    return `it contains a lone UTF-16 surrogate (${codePoint(lone[0])} at index ${lone.index}), which UTF-8 cannot hold, so stores ` +
      'would change it; remove it, or pair it into a whole character';
  }
  return undefined;
};

/** Throws `InvalidStreamIdError` unless the id is 1 to 255 characters without control characters or lone surrogates. */
export const assertValidStreamId = (streamId: unknown): string => {
  if (typeof streamId !== 'string') {
    throw new InvalidStreamIdError(String(streamId), `expected a string, got ${typeof streamId}`);
  }
  if (streamId.length === 0) throw new InvalidStreamIdError(streamId, 'it is empty; give a non-empty id such as "conference-ecc2020"');
  if (streamId.length > MAX_STREAM_ID_LENGTH) {
    throw new InvalidStreamIdError(streamId, `it has ${streamId.length} characters; the limit is ${MAX_STREAM_ID_LENGTH}`);
  }
  const problem = nameProblem(streamId);
  if (problem !== undefined) throw new InvalidStreamIdError(streamId, problem);
  return streamId;
};

/** Why an event type is refused, or `undefined`: 1 to 255 characters, no control characters or lone surrogates, no leading `$`. */
export const eventTypeProblem = (type: unknown): string | undefined => {
  if (typeof type !== 'string' || type.length === 0 || type.length > MAX_EVENT_TYPE_LENGTH) {
    return `its type must be a non-empty string of at most ${MAX_EVENT_TYPE_LENGTH} characters`;
  }
  // EventStoreDB keeps `$` types for its own system events, which every reader of the log skips: a user event so
  // named would be stored and then never read, on every store alike.
  if (type.startsWith('$')) return 'types starting with "$" are reserved for the event store\'s system events; rename the type';
  const problem = nameProblem(type);
  return problem === undefined ? undefined : `its type ${problem}`;
};

/**
 * Why a tag is refused, or `undefined`: the rules of stream ids (a string of 1 to 255 characters, no control
 * characters, no lone surrogates), so every store keeps it byte for byte and compares it exactly.
 */
export const tagProblem = (tag: unknown): string | undefined => {
  if (typeof tag !== 'string') return `it is ${tag === null ? 'null' : `a ${typeof tag}`}, not a string`;
  if (tag.length === 0) return 'it is empty; give a non-empty tag such as "ballot:ecc2020.ecmy-vote"';
  if (tag.length > MAX_TAG_LENGTH) return `it has ${tag.length} characters; the limit is ${MAX_TAG_LENGTH}`;
  return nameProblem(tag);
};

/**
 * Why an event's `tags` are refused, or `undefined`: absent, or an array of at most `MAX_TAGS_PER_EVENT` valid tags
 * (`tagProblem`) with none twice. A repeated tag is refused rather than dropped: a store gives back exactly what it
 * accepted, in the order given.
 */
export const eventTagsProblem = (tags: unknown): string | undefined => {
  if (tags === undefined) return undefined;
  if (!Array.isArray(tags)) return `its tags are ${tags === null ? 'null' : typeof tags}, not an array of strings; leave them out for none`;
  if (tags.length > MAX_TAGS_PER_EVENT) {
    return `it has ${tags.length} tags; the limit is ${MAX_TAGS_PER_EVENT} (tag an event with what queries select it by)`;
  }
  for (let index = 0; index < tags.length; index++) {
    const problem = tagProblem(tags[index]);
    if (problem !== undefined) return `its tag ${shown(tags[index])} (tags[${index}]) is refused: ${problem}`;
    if (tags.indexOf(tags[index], index + 1) >= 0) {
      return `its tag ${JSON.stringify(tags[index])} appears twice; give each tag once (tags are a set, kept in the order given)`;
    }
  }
  return undefined;
};

/** A value as a message shows it: JSON-like for scalars, its kind for anything larger. */
const shown = (value: unknown): string => {
  switch (typeof value) {
    case 'string':
      return JSON.stringify(value.length > 80 ? `${value.slice(0, 80)}…` : value);
    case 'bigint':
      return `${value}n`;
    case 'number':
    case 'boolean':
      return String(value);
    case 'object':
      return value === null ? 'null' : Array.isArray(value) ? 'an array' : 'an object';
    default:
      return `a ${typeof value}`;
  }
};

/**
 * The append's expected revision: `'any'` when it is left out (`undefined`), else exactly one of the four forms.
 * Anything else, `null` and numbers included, is an `InvalidExpectedRevisionError`: read as `'any'` it would turn an
 * intended check into none.
 */
export const assertExpectedRevision = (streamId: string, expected: unknown): ExpectedRevision => {
  if (expected === undefined) return 'any';
  if (expected === 'any' || expected === 'no_stream' || expected === 'stream_exists') return expected;
  const fail = (reason: string): never => {
    throw new InvalidExpectedRevisionError(streamId, expected, reason);
  };
  const forms = `'any', 'no_stream', 'stream_exists' or a bigint revision such as 3n`;
  if (typeof expected === 'bigint') {
    if (expected < 0n) return fail(`${expected}n is below 0; pass 'no_stream' for a stream that must not exist yet, or a revision >= 0n`);
    if (expected > MAX_STREAM_REVISION) return fail(`${expected}n is above the highest revision, 2^63 - 1; pass the revision you read`);
    return expected;
  }
  if (typeof expected === 'number' && Number.isSafeInteger(expected) && expected >= 0) {
    return fail(`${expected} is a number, not a bigint; pass ${expected}n (BigInt(${expected})), as revisions are bigints`);
  }
  return fail(`${shown(expected)} is none of ${forms}; leave it out for 'any'`);
};

// Replays and batches repeat one occurredAt for many events (one command's events, a seeded history): the last one
// accepted is remembered, so a reader checks the format once per run rather than once per event.
let lastInstant = '';

const instantIsValid = (occurredAt: unknown): boolean => {
  if (occurredAt === lastInstant) return true;
  if (!isRfc3339Instant(occurredAt)) return false;
  lastInstant = occurredAt as string;
  return true;
};

const nonEmptyString = (value: unknown): boolean => typeof value === 'string' && value.length > 0;

const field = (name: string, value: unknown, expected: string): string =>
  value === undefined ? `metadata.${name} is missing; give ${expected}` : `metadata.${name} ${shown(value)} is not ${expected}`;

/**
 * Why `metadata` breaks the required metadata fields, or `undefined`: `eventId` a UUID, `occurredAt` an RFC 3339
 * instant with a zone, `correlationId` and `causationId` non-empty strings, `schemaVersion` a whole number >= 1.
 * Appends refuse such an event (`InvalidEventError`); readers report such a stored event as `CorruptEventError`. Cheap
 * enough for the read path: no allocation for metadata that is fine.
 */
export const metadataProblem = (metadata: unknown): string | undefined => {
  if (typeof metadata !== 'object' || metadata === null || Array.isArray(metadata)) {
    return `metadata is ${shown(metadata)}, not an object; give { eventId, occurredAt, correlationId, causationId, schemaVersion }`;
  }
  const { eventId, occurredAt, correlationId, causationId, schemaVersion } = metadata as Record<string, unknown>;
  if (typeof eventId !== 'string' || !isUuid(eventId)) return field('eventId', eventId, 'a UUID; create it with newEventId()');
  if (!instantIsValid(occurredAt)) {
    return field('occurredAt', occurredAt, 'an RFC 3339 instant with a zone, e.g. "2020-11-10T09:00:00Z" (a real date and time, with Z or an offset)');
  }
  if (!nonEmptyString(correlationId)) {
    return field('correlationId', correlationId, 'a non-empty string: the id of the request that started this chain of events ' +
      '(the command id, or the eventId of an event nothing caused)');
  }
  if (!nonEmptyString(causationId)) {
    return field('causationId', causationId, 'a non-empty string: the id of the command or event that caused this one ' +
      '(its own eventId when nothing did)');
  }
  if (typeof schemaVersion !== 'number' || !Number.isSafeInteger(schemaVersion) || schemaVersion < 1) {
    return field('schemaVersion', schemaVersion, 'a whole number >= 1: the version of the data\'s shape, 1 for a new type');
  }
  return undefined;
};

/** An event in the form stores write: JSON text for data and metadata, checked for size. */
export interface SerializedEvent {
  readonly eventId: string;
  readonly type: string;
  readonly data: string;
  readonly metadata: string;
  /** The event's tags, checked (`eventTagsProblem`); `NO_TAGS` when it has none. */
  readonly tags: readonly string[];
  readonly event: NewEvent;
}

/**
 * Validates and serialises a batch before any write: the stream id, and per event its type, its metadata fields, its
 * id (unique in the batch, ignoring case), its tags (`eventTagsProblem`), data and metadata as exact JSON (one walk
 * each, see `exactJsonProblem`), metadata field names (a leading `$` is the event store's), and its size. The first problem throws, so a refused
 * batch writes nothing.
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
    const type: unknown = (event as Partial<NewEvent> | null | undefined)?.type;
    const refuse = (reason: string): never => {
      throw new InvalidEventError(streamId, String(type), reason);
    };
    const typeRefusal = eventTypeProblem(type);
    if (typeRefusal !== undefined) refuse(typeRefusal);
    const { data, metadata, tags } = event;
    const metadataRefusal = metadataProblem(metadata);
    if (metadataRefusal !== undefined) refuse(metadataRefusal);
    const tagsRefusal = eventTagsProblem(tags);
    if (tagsRefusal !== undefined) refuse(tagsRefusal);
    // A UUID's hex digits are case-insensitive (RFC 9562), and stores that keep ids as uuids compare them so: the same
    // id in two cases is one id, and must be refused here rather than reach a store as two.
    const id = metadata.eventId.toLowerCase();
    if (seen.has(id)) refuse(`eventId ${metadata.eventId} appears twice in one append (ids compare case-insensitively); give each event its own id`);
    seen.add(id);
    if (data === undefined) refuse('its data is missing (undefined); give an object, or null for an event that carries nothing');
    const dataRefusal = exactJsonProblem(data, 'data');
    if (dataRefusal !== undefined) refuse(dataRefusal);
    const metadataJsonRefusal = exactJsonProblem(metadata, 'metadata');
    if (metadataJsonRefusal !== undefined) refuse(metadataJsonRefusal);
    for (const key in metadata) {
      // EventStoreDB keeps `$correlationId` and `$causationId` in the same metadata, and its adapter a `$` mark of its
      // own: a user field so named would be overwritten or dropped there, so no store takes one.
      if (key.startsWith('$')) refuse(`its metadata field "${key}" starts with "$", which is reserved for the event store's own fields; rename it`);
    }
    // Exact JSON cannot make JSON.stringify throw or return undefined, so the text is the value, one native pass.
    const dataText = JSON.stringify(data);
    const metadataText = JSON.stringify(metadata);
    const bytes = Buffer.byteLength(dataText) + Buffer.byteLength(metadataText);
    if (bytes > maxEventBytes) {
      refuse(`it is ${bytes} bytes serialised; the limit is ${maxEventBytes} (raise maxEventBytes or store large payloads elsewhere)`);
    }
    // A copy, frozen: what is stored cannot change under the store after the checks.
    const storedTags = tags === undefined || tags.length === 0 ? NO_TAGS : Object.freeze([...tags]);
    return { eventId: metadata.eventId, type: type as string, data: dataText, metadata: metadataText, tags: storedTags, event };
  });
};

/** An append checked against the contract: its stream, its expected revision in one of the four forms, its events as text. */
export interface PreparedAppend {
  readonly streamId: string;
  readonly expectedRevision: ExpectedRevision;
  readonly events: SerializedEvent[];
}

/**
 * Every check an append needs before a store touches its storage, in the order a caller fixes them: the stream id,
 * the expected revision (`assertExpectedRevision`), then the events (`serializeEvents`). Every adapter's
 * `appendToStream` starts with it.
 */
export const prepareAppend = (
  streamId: string,
  events: readonly NewEvent[],
  options: AppendOptions | undefined,
  maxEventBytes: number = DEFAULT_MAX_EVENT_BYTES,
): PreparedAppend => {
  assertValidStreamId(streamId);
  const expectedRevision = assertExpectedRevision(streamId, (options as AppendOptions | null | undefined)?.expectedRevision);
  return { streamId, expectedRevision, events: serializeEvents(streamId, events, maxEventBytes) };
};
