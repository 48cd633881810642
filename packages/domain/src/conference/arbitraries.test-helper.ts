import fc from 'fast-check';
import { STAKEHOLDER_GROUPS } from './codecs.js';
import { COUNTRY_CODES } from './countries.js';

/** Test helper: arbitraries of valid event payloads, one per event type, as plain JSON. */
const slug = fc.stringMatching(/^[a-z0-9][a-z0-9-]{0,63}$/);
const text = fc.string({ minLength: 1, maxLength: 30 }).filter((s) => s.trim().length > 0);
const date = fc
  .date({ min: new Date('1900-01-01T00:00:00Z'), max: new Date('2999-12-31T00:00:00Z'), noInvalidDate: true })
  .map((d) => d.toISOString().slice(0, 10));
const country = fc.constantFrom(...COUNTRY_CODES);
const candidate = fc.record({ candidateId: slug, name: text, affiliation: text });

export const validEventData = {
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
      fc.record({ kind: fc.constant('vote' as const), ballotId: slug, tally: fc.array(fc.record({ candidateId: slug, votes: fc.nat() }), { maxLength: 4 }) }),
    ),
  }),
  AllianceFounded: fc.record({ allianceId: slug, name: text }),
  NationJoinedAlliance: fc.record({ allianceId: slug, nation: country, programme: text, memberNumber: fc.integer({ min: 1, max: 300 }) }),
} as const;

/** Test helper: any valid event as `{ type, data }`. */
export const validEvent = fc.oneof(
  ...Object.entries(validEventData).map(([type, data]) => (data as fc.Arbitrary<unknown>).map((d) => ({ type, data: d }))),
);
