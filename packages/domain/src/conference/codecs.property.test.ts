import * as E from 'fp-ts/lib/Either.js';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { compileGuard } from '../kernel/compile-guard.js';
import { SLUG, STAKEHOLDER_GROUPS, hasNonBlank, isSlug } from './codecs.js';
import { COUNTRY_CODES } from './countries.js';
import { conferenceEventDefinitions, conferenceEvents, type ConferenceEvent } from './events.js';

// Arbitraries of valid event payloads, one per event type, as plain JSON.
const slug = fc.stringMatching(/^[a-z0-9][a-z0-9-]{0,63}$/);
const text = fc.string({ minLength: 1, maxLength: 30 }).filter((s) => s.trim().length > 0);
const date = fc
  .date({ min: new Date('1900-01-01T00:00:00Z'), max: new Date('2999-12-31T00:00:00Z'), noInvalidDate: true })
  .map((d) => d.toISOString().slice(0, 10));
const country = fc.constantFrom(...COUNTRY_CODES);
const candidate = fc.record({ candidateId: slug, name: text, affiliation: text });

const validEventData = {
  ConferenceScheduled: fc.record({
    conferenceId: slug, name: text, days: fc.array(date, { minLength: 1, maxLength: 4 }),
    capacity: fc.option(fc.integer({ min: 1, max: 100_000 }), { nil: null }), organisers: fc.array(text, { maxLength: 3 }),
  }),
  AttendeeRegistered: fc.record({ conferenceId: slug, attendeeId: slug, name: text, country, stakeholderGroup: fc.constantFrom(...STAKEHOLDER_GROUPS) }),
  SessionOpened: fc.record({
    conferenceId: slug, sessionId: slug, title: text, day: date, openers: fc.array(fc.record({ name: text, role: text }), { maxLength: 3 }),
    ballot: fc.option(fc.record({ awardId: slug, candidates: fc.array(candidate, { maxLength: 4 }) }), { nil: null }),
  }),
  BallotClosed: fc.record({ conferenceId: slug, sessionId: slug }),
  VoteCast: fc.record({ conferenceId: slug, ballotId: slug, attendeeId: slug, candidateId: slug }),
  AwardGranted: fc.record({
    awardId: slug, edition: fc.integer({ min: 1, max: 3000 }), title: text, recipient: text, affiliation: text,
    decidedBy: fc.oneof(
      fc.constant({ kind: 'jury' as const }),
      fc.record({ kind: fc.constant('vote' as const), conferenceId: fc.option(slug, { nil: null }), ballotId: slug, tally: fc.array(fc.record({ candidateId: slug, votes: fc.nat() }), { maxLength: 4 }) }),
    ),
  }),
  AllianceFounded: fc.record({ allianceId: slug, name: text }),
  NationJoinedAlliance: fc.record({ allianceId: slug, nation: country, programme: text, memberNumber: fc.integer({ min: 1, max: 300 }) }),
} as const;

// Any valid event as `{ type, data }`.
const validEvent = fc.oneof(
  ...Object.entries(validEventData).map(([type, data]) => (data as fc.Arbitrary<unknown>).map((d) => ({ type, data: d }))),
);

const source = { streamId: 'property', streamRevision: 0n };

/** Every path to a leaf (or empty container) of a JSON value, as key lists. */
const leafPaths = (value: unknown, path: (string | number)[] = []): (string | number)[][] => {
  if (Array.isArray(value)) return value.length === 0 ? [path] : value.flatMap((item, index) => leafPaths(item, [...path, index]));
  if (typeof value === 'object' && value !== null) {
    const entries = Object.entries(value);
    return entries.length === 0 ? [path] : entries.flatMap(([key, item]) => leafPaths(item, [...path, key]));
  }
  return [path];
};

const setAt = (value: unknown, path: (string | number)[], replacement: unknown): unknown => {
  if (path.length === 0) return replacement;
  const [head, ...rest] = path;
  const copy = (Array.isArray(value) ? [...value] : { ...(value as object) }) as Record<string | number, unknown>;
  copy[head!] = setAt(copy[head!], rest, replacement);
  return copy;
};

describe('conference codecs (properties)', () => {
  it('every valid event survives encode, JSON, then decode', () => {
    fc.assert(
      fc.property(validEvent, ({ type, data }) => {
        const decoded = conferenceEvents.decodeData(type, 1, data, source);
        expect(E.isRight(decoded)).toBe(true);
        const event = (decoded as E.Right<ConferenceEvent>).right;
        const encoded = conferenceEvents.encode(event);
        const again = conferenceEvents.decodeData(encoded.type, encoded.schemaVersion, JSON.parse(JSON.stringify(encoded.data)), source);
        expect(again).toEqual(E.right(event));
      }),
    );
  });

  it('a valid event with any leaf replaced by a wrong-typed value is rejected with an error naming that path', () => {
    fc.assert(
      fc.property(validEvent, fc.nat(), fc.constantFrom<unknown>(true, false, { wrong: 1 }, [[true]]), ({ type, data }, pick, bad) => {
        const paths = leafPaths(data).filter((path) => path.length > 0);
        const path = paths[pick % paths.length]!;
        const decoded = conferenceEvents.decodeData(type, 1, setAt(data, path, bad), source);
        // A wrong tag of a tagged union (`decidedBy.kind`) cannot pick a member, so io-ts names the union itself.
        const named = path.at(-1) === 'kind' ? path.slice(0, -1) : path;
        // An empty list replaced by a list of junk is reported at its first element, inside the path.
        const escaped = named.join('.').replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
        expect(E.isLeft(decoded) && decoded.left.message).toMatch(new RegExp(`(^|[ ;])${escaped}(\\.[\\w.]+)?: expected`));
      }),
    );
  });

  it('arbitrary JSON that is not an object is rejected at the root, for every event type', () => {
    fc.assert(
      fc.property(fc.constantFrom(...conferenceEvents.types), fc.jsonValue().filter((v) => typeof v !== 'object' || v === null || Array.isArray(v)), (type, value) => {
        const decoded = conferenceEvents.decodeData(type, 1, value, source);
        expect(E.isLeft(decoded) && decoded.left.message).toContain('(root):');
      }),
    );
  });

  it('arbitrary JSON objects either decode to the same fields or are rejected with a path', () => {
    fc.assert(
      fc.property(fc.constantFrom(...conferenceEvents.types), fc.dictionary(fc.constantFrom('conferenceId', 'name', 'days', 'capacity', 'nation', 'x'), fc.jsonValue()), (type, value) => {
        const decoded = conferenceEvents.decodeData(type, 1, value, source);
        if (E.isLeft(decoded)) expect(decoded.left.message).toMatch(/[a-zA-Z0-9.]+: expected /);
      }),
    );
  });

  it('the compiled guard of every event codec agrees with io-ts `is` on valid events and on each with a leaf replaced', () => {
    const codecs = new Map(conferenceEventDefinitions.map((d) => [d.type as string, d.codec]));
    const guards = new Map(conferenceEventDefinitions.map((d) => [d.type as string, compileGuard(d.codec)]));
    fc.assert(
      fc.property(validEvent, fc.nat(), fc.jsonValue(), ({ type, data }, pick, bad) => {
        const paths = leafPaths(data);
        const changed = setAt(data, paths[pick % paths.length]!, bad);
        expect(guards.get(type)!(data)).toBe(true);
        expect(guards.get(type)!(changed)).toBe(codecs.get(type)!.is(changed));
      }),
    );
  });

  it('isSlug is exactly the SLUG pattern, and hasNonBlank exactly a non-empty trim', () => {
    const anyText = fc.oneof(fc.string({ maxLength: 70 }), fc.string({ unit: 'binary', maxLength: 8 }), fc.stringMatching(/^[a-z0-9-]{0,66}$/), fc.stringMatching(/^\s{0,3}\S?\s{0,3}$/));
    fc.assert(
      fc.property(anyText, (s) => {
        expect(isSlug(s)).toBe(SLUG.test(s));
        expect(hasNonBlank(s)).toBe(s.trim().length > 0);
      }),
      { numRuns: 2000 },
    );
  });
});
