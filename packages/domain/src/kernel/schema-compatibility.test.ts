import * as t from 'io-ts';
import { describe, expect, it } from 'vitest';
import { AttendeeId, ConferenceId, CountryCode, NonEmptyString, PositiveInteger, SessionId, StakeholderGroup } from '../conference/codecs.js';
import { AttendeeRegisteredData, DecidedBy, TallyEntry } from '../conference/events.js';
import { toJsonSchema } from './json-schema.js';
import { schemaBreaks } from './schema-compatibility.js';

const schema = (codec: t.Mixed) => toJsonSchema(codec, { refinements: true });
/** The breaks of reading payloads stored under `old` with `neu`, as "path: problem" lines. */
const breaks = (old: t.Mixed, neu: t.Mixed): string[] => schemaBreaks(schema(old), schema(neu)).map((each) => each.problem);

const Attendee = AttendeeRegisteredData;

describe('schemaBreaks: what stays readable', () => {
  it('finds nothing between a codec and itself, or one that differs only in names', () => {
    expect(breaks(Attendee, Attendee)).toEqual([]);
    expect(breaks(t.type({ a: t.string }, 'Before'), t.type({ a: t.string }, 'After'))).toEqual([]);
    // Key order is not meaning.
    expect(breaks(t.type({ a: t.string, b: t.number }), t.type({ b: t.number, a: t.string }))).toEqual([]);
  });

  it('accepts an optional field added', () => {
    expect(breaks(Attendee, t.intersection([Attendee, t.partial({ badgeName: NonEmptyString })]))).toEqual([]);
  });

  it('accepts a union widened: a literal added, null allowed, a member added', () => {
    expect(breaks(t.keyof({ a: null, b: null }), t.keyof({ a: null, b: null, c: null }))).toEqual([]);
    expect(breaks(t.union([t.literal('a'), t.literal('b')]), t.union([t.literal('a'), t.literal('b'), t.literal('c')]))).toEqual([]);
    expect(breaks(t.type({ capacity: PositiveInteger }), t.type({ capacity: t.union([PositiveInteger, t.null]) }))).toEqual([]);
    expect(breaks(DecidedBy, t.union([...DecidedBy.types, t.type({ kind: t.literal('committee'), members: t.array(t.string) })]))).toEqual([]);
    expect(breaks(t.literal('jury'), t.string)).toEqual([]);
  });

  it('accepts a required field made optional, a refinement dropped, and anything widened to unknown', () => {
    expect(breaks(t.type({ a: t.string, b: t.string }), t.intersection([t.type({ a: t.string }), t.partial({ b: t.string })]))).toEqual([]);
    expect(breaks(t.type({ name: NonEmptyString }), t.type({ name: t.string }))).toEqual([]);
    expect(breaks(t.type({ extra: t.number }), t.type({ extra: t.unknown }))).toEqual([]);
  });

  it('ignores exactness: io-ts never refuses unknown members, t.exact only strips them', () => {
    expect(breaks(t.type({ a: t.string }), t.strict({ a: t.string }))).toEqual([]);
    expect(breaks(t.strict({ a: t.string }), t.type({ a: t.string }))).toEqual([]);
  });
});

describe('schemaBreaks: what does not', () => {
  it('refuses a removed field: stored events carry it, and the new codec would drop it unseen', () => {
    const withoutCountry = t.type({ conferenceId: ConferenceId, attendeeId: AttendeeId, name: Attendee.props.name, stakeholderGroup: StakeholderGroup });
    expect(schemaBreaks(schema(Attendee), schema(withoutCountry))).toEqual([
      { path: 'country', problem: 'field `country` was removed; stored events carry it', upcast: 'that drops or moves `country`', alternative: 'keep the field optional' },
    ]);
    expect(breaks(t.intersection([t.type({ a: t.string }), t.partial({ b: t.string })]), t.type({ a: t.string }))).toEqual([
      'field `b` was removed; stored events may carry it',
    ]);
  });

  it('refuses a renamed field as one rename', () => {
    expect(schemaBreaks(schema(t.type({ country: CountryCode })), schema(t.type({ nation: CountryCode })))).toEqual([
      { path: 'country', problem: 'field `country` was renamed to `nation`; stored events carry `country` and lack `nation`', upcast: 'that renames `country` to `nation`' },
    ]);
  });

  it('refuses a changed type', () => {
    expect(breaks(t.type({ edition: PositiveInteger }), t.type({ edition: t.string }))).toEqual([
      'field `edition` changed from PositiveInteger to string; stored events hold PositiveInteger',
    ]);
    expect(breaks(t.type({ days: t.array(t.string) }), t.type({ days: t.string }))).toEqual([
      'field `days` changed from an array of string to string; stored events hold an array of string',
    ]);
  });

  it('refuses a new required field, and an optional one made required', () => {
    expect(breaks(Attendee, t.type({ ...Attendee.props, badgeName: NonEmptyString }))).toEqual([
      'field `badgeName` is new and required; stored events lack it',
    ]);
    expect(breaks(t.intersection([t.type({ a: t.string }), t.partial({ b: t.string })]), t.type({ a: t.string, b: t.string }))).toEqual([
      'field `b` became required; stored events may lack it',
    ]);
  });

  it('refuses a narrowed type: a literal or union member dropped, a refinement added, a brand swapped, unknown made specific', () => {
    expect(breaks(t.keyof({ a: null, b: null, c: null }), t.keyof({ a: null }))).toEqual(['the payload no longer accepts "b" or "c"; stored events may hold them']);
    expect(breaks(t.type({ capacity: t.union([PositiveInteger, t.null]) }), t.type({ capacity: PositiveInteger }))).toEqual([
      'field `capacity` no longer accepts null; stored events may hold it',
    ]);
    expect(breaks(t.type({ name: t.string }), t.type({ name: NonEmptyString }))).toEqual([
      'field `name` must now also be NonEmptyString, which stored values were never checked against',
    ]);
    expect(breaks(t.type({ id: ConferenceId }), t.type({ id: SessionId }))).toEqual([
      'field `id` must now also be SessionId, which stored values were never checked against',
    ]);
    expect(breaks(t.type({ extra: t.unknown }), t.type({ extra: t.string }))).toEqual([
      'field `extra` accepted any value and now only string; stored events may hold others',
    ]);
    expect(breaks(t.type({ kind: t.string }), t.type({ kind: t.literal('jury') }))).toEqual([
      'field `kind` accepted any string and now only "jury"; stored events may hold others',
    ]);
    expect(breaks(t.type({ kind: t.literal('vote') }), t.type({ kind: t.literal('ballot') }))).toEqual([
      'field `kind` no longer accepts "vote"; stored events may hold it',
    ]);
  });

  it('names the path through arrays and the tagged-union member a break is in', () => {
    // A refinement dropped from candidateId is fine; votes turned from a count into text is not.
    expect(breaks(t.type({ tally: t.array(TallyEntry) }), t.type({ tally: t.array(t.type({ candidateId: t.string, votes: t.string })) }))).toEqual([
      'field `tally[].votes` changed from NonNegativeInteger to string; stored events hold NonNegativeInteger',
    ]);
    // AwardGranted's v1 to v2 change: a vote-decided grant gained its ballot's conferenceId, required. It took a new
    // schema version and an upcaster; without them, this is the break the check reports.
    const decidedByV1 = t.union([
      t.type({ kind: t.literal('jury') }),
      t.type({ kind: t.literal('vote'), ballotId: SessionId, tally: t.array(TallyEntry) }),
    ]);
    expect(breaks(t.type({ decidedBy: decidedByV1 }), t.type({ decidedBy: DecidedBy }))).toEqual([
      'field `decidedBy.conferenceId` is new and required; stored events lack it (where `decidedBy.kind` is "vote")',
    ]);
    expect(breaks(t.type({ decidedBy: DecidedBy }), t.type({ decidedBy: t.union([DecidedBy.types[1], t.type({ kind: t.literal('committee') })]) }))).toEqual([
      'field `decidedBy` no longer accepts its member where `decidedBy.kind` is "jury"; stored events may hold it',
    ]);
  });
});
