import * as fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { InvalidEventError, InvalidExpectedRevisionError, InvalidStreamIdError } from './errors.js';
import {
  assertExpectedRevision,
  assertValidStreamId,
  eventTagsProblem,
  eventTypeProblem,
  MAX_TAGS_PER_EVENT,
  metadataProblem,
  NO_TAGS,
  prepareAppend,
  serializeEvents,
} from './event-contract.js';
import type { EventMetadata, NewEvent } from './event.js';
import { newEventId } from './ids.js';

const metadataOf = (eventId = newEventId()) => ({ eventId, occurredAt: '2020-11-10T09:00:00Z', correlationId: 'c', causationId: 'c', schemaVersion: 1 });
const event = (data: unknown, eventId = newEventId()): NewEvent => ({ type: 'Tested', data, metadata: metadataOf(eventId) });
/** Metadata with fields of the application's own, which the type does not declare but every store keeps. */
const withFields = (fields: Record<string, unknown>): EventMetadata => ({ ...metadataOf(), ...fields }) as EventMetadata;
const refusal = (thunk: () => unknown): Error => {
  try {
    thunk();
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected a refusal, but it was accepted');
};

describe('stream ids', () => {
  it('accept 1 to 255 printable characters, whole surrogate pairs included', () => {
    expect(assertValidStreamId('conference-ecc2020')).toBe('conference-ecc2020');
    expect(assertValidStreamId('x'.repeat(255))).toHaveLength(255);
    expect(assertValidStreamId('emoji-😀')).toBe('emoji-😀');
  });
  it.each([
    ['', /is empty/],
    ['x'.repeat(256), /256 characters; the limit is 255/],
    ['bad\nid', /control character U\+000A at index 3/],
    ['tab\there', /U\+0009/],
    ['x\uD800', /lone UTF-16 surrogate \(U\+D800 at index 1\), which UTF-8 cannot hold/],
    ['x\uDBFF', /U\+DBFF at index 1/],
    ['\uDC00x', /U\+DC00 at index 0/],
    ['x\uDFFF\uD800', /U\+DFFF at index 1/],
  ])('refuse %j', (id, message) => {
    const error = refusal(() => assertValidStreamId(id));
    expect(error).toBeInstanceOf(InvalidStreamIdError);
    expect(error.message).toMatch(message);
  });
});

describe('event types', () => {
  it('accept any printable name up to 255 characters', () => {
    expect(eventTypeProblem('VoteCast')).toBeUndefined();
    expect(eventTypeProblem("Type'); DELETE FROM events; --")).toBeUndefined();
  });
  it.each([
    ['', /non-empty string/],
    ['x'.repeat(256), /at most 255/],
    ['$BallotClosed', /reserved for the event store's system events/],
    ['Vote\u0000Cast', /control character U\+0000/],
    ['Vote\uD800', /lone UTF-16 surrogate \(U\+D800 at index 4\)/],
  ])('refuse %j', (type, message) => {
    expect(eventTypeProblem(type)).toMatch(message);
  });
});

describe('assertExpectedRevision', () => {
  it('takes the four forms as they are, and a missing one as any', () => {
    for (const form of ['any', 'no_stream', 'stream_exists', 0n, 41n, 2n ** 63n - 1n] as const) expect(assertExpectedRevision('s', form)).toBe(form);
    expect(assertExpectedRevision('s', undefined)).toBe('any');
  });
  it.each<[string, unknown, RegExp]>([
    ['null', null, /expectedRevision null is none of 'any', 'no_stream', 'stream_exists' or a bigint revision such as 3n; leave it out for 'any'/],
    ['a number', 3, /expectedRevision 3 is a number, not a bigint; pass 3n/],
    ['a negative bigint', -1n, /-1n is below 0; pass 'no_stream'/],
    ['a bigint past 2^63 - 1', 2n ** 63n, /above the highest revision/],
    ['another string', 'no-stream', /"no-stream" is none of/],
    ['NaN', Number.NaN, /NaN is none of/],
    ['an object', { revision: 1n }, /an object is none of/],
  ])('refuses %s with InvalidExpectedRevisionError', (_label, value, message) => {
    const error = refusal(() => assertExpectedRevision('conference-a', value));
    expect(error).toBeInstanceOf(InvalidExpectedRevisionError);
    expect(error).toMatchObject({ code: 'INVALID_EXPECTED_REVISION', streamId: 'conference-a', expectedRevision: value });
    expect(error.message).toMatch(/^Append to stream "conference-a" was refused before writing: its expectedRevision /);
    expect(error.message).toMatch(message);
  });
});

describe('metadataProblem', () => {
  it('takes as eventId exactly what the UUID pattern matches, whatever the characters', () => {
    const pattern = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
    // Near-UUIDs: a valid id with a few characters replaced by anything (dashes, non-ASCII, lone surrogates, hex).
    const nearUuid = fc
      .tuple(fc.uuid(), fc.array(fc.tuple(fc.nat(35), fc.oneof(fc.constantFrom('-', 'g', 'G', '/', ':', '@', '`', '\u00e9', '\ud800', '\u0661', 'A', 'f', '0'), fc.string({ unit: 'binary', minLength: 1, maxLength: 1 }))), { maxLength: 3 }))
      .map(([id, edits]) => edits.reduce((text, [at, character]) => text.slice(0, at) + character + text.slice(at + 1), id));
    fc.assert(
      fc.property(fc.oneof(nearUuid, fc.string({ unit: 'binary', minLength: 35, maxLength: 37 })), (eventId) => {
        expect(metadataProblem({ ...metadataOf(), eventId }) === undefined).toBe(pattern.test(eventId));
      }),
      { numRuns: 2000 },
    );
  });
  it('accepts the five fields, with more of the application\'s own', () => {
    expect(metadataProblem(metadataOf())).toBeUndefined();
    expect(metadataProblem({ ...metadataOf(), occurredAt: '2020-11-10T10:00:00.123+01:00', userId: 'u-1' })).toBeUndefined();
  });
  it.each<[string, Record<string, unknown> | unknown, RegExp]>([
    ['no object', null, /metadata is null, not an object; give \{ eventId, occurredAt, correlationId, causationId, schemaVersion \}/],
    ['an array', [], /metadata is an array, not an object/],
    ['eventId 42', { eventId: 42 }, /metadata.eventId 42 is not a UUID; create it with newEventId\(\)/],
    ['no occurredAt', { occurredAt: undefined }, /metadata.occurredAt is missing; give an RFC 3339 instant with a zone/],
    ['occurredAt without zone', { occurredAt: '2020-11-10T09:00:00' }, /occurredAt "2020-11-10T09:00:00" is not an RFC 3339 instant/],
    ['occurredAt as a Date-ish number', { occurredAt: 1605000000000 }, /occurredAt 1605000000000 is not/],
    ['no correlationId', { correlationId: undefined }, /metadata.correlationId is missing; give a non-empty string: the id of the request/],
    ['an empty causationId', { causationId: '' }, /metadata.causationId "" is not a non-empty string/],
    ['schemaVersion 0', { schemaVersion: 0 }, /metadata.schemaVersion 0 is not a whole number >= 1/],
    ['schemaVersion 1.5', { schemaVersion: 1.5 }, /schemaVersion 1.5/],
    ['schemaVersion "1"', { schemaVersion: '1' }, /schemaVersion "1"/],
  ])('names %s and what to give instead', (_label, change, message) => {
    const metadata = change === null || Array.isArray(change) ? change : { ...metadataOf(), ...(change as object) };
    expect(metadataProblem(metadata)).toMatch(message);
  });
});

describe('serializeEvents', () => {
  it('refuses data JSON would change, naming the event, the path and what to use instead', () => {
    const error = refusal(() => serializeEvents('s-1', [event({ attendees: [{}, {}, {}, { joinedAt: new Date(0) }] })]));
    expect(error).toBeInstanceOf(InvalidEventError);
    expect(error.message).toBe('Event "Tested" for stream "s-1" was refused before writing: data.attendees[3].joinedAt is a Date, ' +
      'which JSON turns into a string; store date.toISOString() instead');
    const cycle: Record<string, unknown> = {};
    cycle.self = cycle;
    expect(refusal(() => serializeEvents('s-1', [event(cycle)])).message).toMatch(/data.self refers back to data, a cycle/);
    expect(refusal(() => serializeEvents('s-1', [event({ n: 1n })])).message).toMatch(/data.n is the bigint 1n, which JSON cannot hold; use a string/);
    expect(refusal(() => serializeEvents('s-1', [event(undefined)])).message).toMatch(/its data is missing \(undefined\); give an object, or null/);
  });
  it('refuses metadata JSON would change, metadata fields named with "$", and missing required fields', () => {
    const base = event({});
    expect(refusal(() => serializeEvents('s-1', [{ ...base, metadata: withFields({ tags: [Number.NaN] }) }])).message)
      .toMatch(/metadata.tags\[0\] is NaN/);
    expect(refusal(() => serializeEvents('s-1', [{ ...base, metadata: withFields({ $correlationId: 'x' }) }])).message)
      .toMatch(/metadata field "\$correlationId" starts with "\$", which is reserved/);
    const { correlationId: _dropped, ...withoutCorrelation } = base.metadata;
    const error = refusal(() => serializeEvents('s-1', [{ ...base, metadata: withoutCorrelation as typeof base.metadata }]));
    expect(error).toBeInstanceOf(InvalidEventError);
    expect(error.message).toMatch(/metadata.correlationId is missing/);
  });
  it('refuses an event over the size limit', () => {
    expect(() => serializeEvents('s-1', [event({ blob: 'x'.repeat(2000) })], 1000)).toThrow(/bytes serialised; the limit is 1000/);
  });
  it('refuses empty batches, duplicate ids, ids that are not UUIDs and types with lone surrogates', () => {
    const id = newEventId();
    expect(() => serializeEvents('s-1', [])).toThrow(/at least one event/);
    expect(() => serializeEvents('s-1', [event({}, id), event({}, id.toUpperCase())])).toThrow(/appears twice/);
    expect(() => serializeEvents('s-1', [event({}, 'nope')])).toThrow(/metadata.eventId "nope" is not a UUID/);
    expect(() => serializeEvents('s-1', [{ ...event({}), type: 'Vote\uDFFF' }])).toThrow(InvalidEventError);
  });
  it('serialises valid events to JSON text, null-prototype objects and extra metadata included', () => {
    const data = Object.assign(Object.create(null) as object, { name: 'Uwe Pfeil' });
    const [serialized] = serializeEvents('s-1', [{ ...event(data), metadata: withFields({ userId: 'u-7' }) }]);
    expect(JSON.parse(serialized!.data)).toEqual({ name: 'Uwe Pfeil' });
    expect(JSON.parse(serialized!.metadata)).toMatchObject({ schemaVersion: 1, userId: 'u-7' });
  });
});

describe('tags', () => {
  it('accept up to 16 distinct printable tags of up to 255 characters, kept in their order, as a frozen copy', () => {
    const tags = ['ballot:ecc2020.ecmy-vote', 'attendee:a-1', 'ü✓😀', 't'.repeat(255), ...Array.from({ length: MAX_TAGS_PER_EVENT - 4 }, (_, i) => `x${i}`)];
    expect(eventTagsProblem(tags)).toBeUndefined();
    const given = [...tags];
    const [serialized] = serializeEvents('s-1', [{ ...event({}), tags: given }]);
    given.reverse();
    expect(serialized!.tags).toEqual(tags);
    expect(Object.isFrozen(serialized!.tags)).toBe(true);
    expect(serializeEvents('s-1', [event({})])[0]!.tags).toBe(NO_TAGS);
    expect(serializeEvents('s-1', [{ ...event({}), tags: [] }])[0]!.tags).toBe(NO_TAGS);
  });
  it('refuse a repeat rather than drop it, and anything a stream id could not be', () => {
    expect(eventTagsProblem(['a', 'b', 'a'])).toMatch(/"a" appears twice; give each tag once/);
    expect(eventTagsProblem(['a', ''])).toMatch(/its tag "" \(tags\[1\]\) is refused: it is empty/);
    expect(eventTagsProblem(['x\u0007'])).toMatch(/control character U\+0007 at index 1/);
    expect(eventTagsProblem(['x\uDC00'])).toMatch(/lone UTF-16 surrogate/);
    expect(eventTagsProblem([null])).toMatch(/it is null, not a string/);
    expect(eventTagsProblem(Array.from({ length: MAX_TAGS_PER_EVENT + 1 }, (_, i) => `t${i}`))).toMatch(/17 tags; the limit is 16/);
    expect(eventTagsProblem(null)).toMatch(/its tags are null, not an array of strings; leave them out for none/);
    const error = refusal(() => serializeEvents('s-1', [event({}), { ...event({}), tags: ['a', 'a'] }]));
    expect(error).toBeInstanceOf(InvalidEventError);
    expect(error.message).toMatch(/^Event "Tested" for stream "s-1" was refused before writing: its tag "a" appears twice/);
  });
});

describe('prepareAppend', () => {
  it('checks the stream id, then the expected revision, then the events', () => {
    expect(refusal(() => prepareAppend('', [], { expectedRevision: null as never }))).toBeInstanceOf(InvalidStreamIdError);
    expect(refusal(() => prepareAppend('s', [], { expectedRevision: null as never }))).toBeInstanceOf(InvalidExpectedRevisionError);
    expect(refusal(() => prepareAppend('s', [], {}))).toBeInstanceOf(InvalidEventError);
  });
  it('defaults the expected revision to any and serialises the events', () => {
    const prepared = prepareAppend('s', [event({ a: 1 })], undefined);
    expect(prepared.expectedRevision).toBe('any');
    expect(prepared.events.map((e) => e.data)).toEqual(['{"a":1}']);
  });
});
