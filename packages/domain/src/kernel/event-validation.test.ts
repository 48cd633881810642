import { describe, expect, it } from 'vitest';
import { InvalidEventError, InvalidStreamIdError } from './errors.js';
import { assertValidStreamId, matchesFilter, serializeEvents } from './event-validation.js';
import { newEventId } from './ids.js';

const event = (data: unknown, eventId = newEventId()) => ({
  type: 'Tested',
  data,
  metadata: { eventId, occurredAt: '2020-11-10T09:00:00Z', correlationId: 'c', causationId: 'c', schemaVersion: 1 },
});

describe('stream ids', () => {
  it('accept 1 to 255 printable characters', () => {
    expect(assertValidStreamId('conference-ecc2020')).toBe('conference-ecc2020');
    expect(assertValidStreamId('x'.repeat(255))).toHaveLength(255);
  });
  it.each([
    ['', /is empty/],
    ['x'.repeat(256), /256 characters; the limit is 255/],
    ['bad\nid', /control character U\+000a at index 3/],
    ['tab\there', /U\+0009/],
  ])('refuse %j', (id, message) => {
    expect(() => assertValidStreamId(id)).toThrow(InvalidStreamIdError);
    expect(() => assertValidStreamId(id)).toThrow(message);
  });
});

describe('serializeEvents', () => {
  it('refuses data JSON cannot hold, naming the event and what to do', () => {
    const cycle: Record<string, unknown> = {};
    cycle.self = cycle;
    expect(() => serializeEvents('s-1', [event({ n: 1n })])).toThrow(/cannot be serialised to JSON.*bigints as strings/);
    expect(() => serializeEvents('s-1', [event(cycle)])).toThrow(InvalidEventError);
    expect(() => serializeEvents('s-1', [event(undefined)])).toThrow(/undefined, which JSON cannot hold/);
  });
  it('refuses an event over the size limit', () => {
    expect(() => serializeEvents('s-1', [event({ blob: 'x'.repeat(2000) })], 1000)).toThrow(/bytes serialised; the limit is 1000/);
  });
  it('refuses empty batches, duplicate ids and ids that are not UUIDs', () => {
    const id = newEventId();
    expect(() => serializeEvents('s-1', [])).toThrow(/at least one event/);
    expect(() => serializeEvents('s-1', [event({}, id), event({}, id)])).toThrow(/appears twice/);
    expect(() => serializeEvents('s-1', [event({}, 'nope')])).toThrow(/is not a UUID/);
  });
  it('serialises valid events to JSON text', () => {
    const [serialized] = serializeEvents('s-1', [event({ name: 'Uwe Pfeil' })]);
    expect(JSON.parse(serialized!.data)).toEqual({ name: 'Uwe Pfeil' });
    expect(JSON.parse(serialized!.metadata).schemaVersion).toBe(1);
  });
});

describe('matchesFilter', () => {
  const types = ['A', 'B', 'C', 'D'];
  const passing = (filter: Parameters<typeof matchesFilter>[0], streamId = 'conference-a') =>
    types.filter((type) => matchesFilter(filter, streamId, type));

  it('matches a type in eventTypes, or with orTypesNotIn one outside that list', () => {
    expect(passing({ eventTypes: ['A'] })).toEqual(['A']);
    expect(passing({ eventTypes: ['A'], orTypesNotIn: ['A', 'B', 'C'] })).toEqual(['A', 'D']);
    expect(passing({ eventTypes: [], orTypesNotIn: ['A', 'B'] })).toEqual(['C', 'D']);
    // Nothing is in an empty list, so every type is outside it.
    expect(passing({ eventTypes: ['A'], orTypesNotIn: [] })).toEqual(types);
    // Without eventTypes every type matches already.
    expect(passing({ orTypesNotIn: ['A'] })).toEqual(types);
  });

  it('still needs a stream prefix to match when prefixes are given', () => {
    const filter = { eventTypes: ['A'], orTypesNotIn: ['A', 'B'], streamPrefixes: ['conference-'] };
    expect(passing(filter)).toEqual(['A', 'C', 'D']);
    expect(passing(filter, 'vote-1')).toEqual([]);
  });
});
