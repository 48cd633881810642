import * as t from 'io-ts';
import type { DomainEvent } from '../kernel/event.js';
import { createEventRegistry, defineEvent } from '../kernel/event-registry.js';
import { PersonalDataForgotten } from '../kernel/personal-data/forgotten-event.js';
import { personal } from '../kernel/personal-data/personal.js';
import { attendeeSubject } from './attendee-subject.js';
import { allianceTag, attendeeTag, awardTag, ballotTag, conferenceTag } from './tags.js';
import {
  AllianceId, AttendeeId, AwardId, CandidateId, ConferenceId, CountryCode, IsoDate, NonEmptyString, NonNegativeInteger,
  PositiveInteger, SessionId, StakeholderGroup, nonEmptyArray,
} from './codecs.js';

/** Payload of `ConferenceScheduled`: a conference's days (sorted, distinct), optional capacity and organisers. */
export const ConferenceScheduledData = t.type({
  conferenceId: ConferenceId,
  name: NonEmptyString,
  days: nonEmptyArray(IsoDate, 'NonEmptyArray<IsoDate>'),
  capacity: t.union([PositiveInteger, t.null]),
  organisers: t.array(NonEmptyString),
}, 'ConferenceScheduled');

/** The subject of an `AttendeeRegistered` payload's personal fields, from its stored (encoded) form. */
const registeredAttendee = (data: { readonly conferenceId: string; readonly attendeeId: string }) => attendeeSubject(data.conferenceId, data.attendeeId);

/**
 * Payload of `AttendeeRegistered`. The attendee's name is personal data of the attendee (`attendeeSubject`): stored
 * encrypted, and `Forgotten` once the attendee is forgotten; country and stakeholder group stay readable, so counts
 * over them survive a forget.
 */
export const AttendeeRegisteredData = t.type({
  conferenceId: ConferenceId,
  attendeeId: AttendeeId,
  name: personal(NonEmptyString, { subject: registeredAttendee }),
  country: CountryCode,
  stakeholderGroup: StakeholderGroup,
}, 'AttendeeRegistered');

/** Someone who opens a session. */
export const Opener = t.type({ name: NonEmptyString, role: NonEmptyString }, 'Opener');
/** A shortlisted candidate of a ballot. */
export const Candidate = t.type({ candidateId: CandidateId, name: NonEmptyString, affiliation: NonEmptyString }, 'Candidate');
/** A ballot held in a session: the award it decides and its shortlist. */
export const Ballot = t.type({ awardId: AwardId, candidates: t.array(Candidate) }, 'Ballot');

/** Payload of `SessionOpened`; a session with a ballot opens that ballot for votes. */
export const SessionOpenedData = t.type({
  conferenceId: ConferenceId,
  sessionId: SessionId,
  title: NonEmptyString,
  day: IsoDate,
  openers: t.array(Opener),
  ballot: t.union([t.null, Ballot]),
}, 'SessionOpened');

/** Payload of `BallotClosed`: votes after it in the global log are late and do not count. */
export const BallotClosedData = t.type({ conferenceId: ConferenceId, sessionId: SessionId }, 'BallotClosed');

/** Payload of `VoteCast`; `ballotId` is the ballot session's id. */
export const VoteCastData = t.type({
  conferenceId: ConferenceId,
  ballotId: SessionId,
  attendeeId: AttendeeId,
  candidateId: CandidateId,
}, 'VoteCast');

/** One candidate's count in a vote-decided award. */
export const TallyEntry = t.type({ candidateId: CandidateId, votes: NonNegativeInteger }, 'TallyEntry');
/**
 * How an award was decided: by a jury, or by a ballot of a conference with the tally taken from the log. The ballot's
 * `conferenceId` came with schemaVersion 2; grants stored at version 1 did not record it and read as `null`.
 */
export const DecidedBy = t.union([
  t.type({ kind: t.literal('jury') }),
  t.type({ kind: t.literal('vote'), conferenceId: t.union([ConferenceId, t.null]), ballotId: SessionId, tally: t.array(TallyEntry) }),
], 'DecidedBy');

/** Payload of `AwardGranted`. */
export const AwardGrantedData = t.type({
  awardId: AwardId,
  edition: PositiveInteger,
  title: NonEmptyString,
  recipient: NonEmptyString,
  affiliation: NonEmptyString,
  decidedBy: DecidedBy,
}, 'AwardGranted');

/** Payload of `AllianceFounded`. */
export const AllianceFoundedData = t.type({ allianceId: AllianceId, name: NonEmptyString }, 'AllianceFounded');

/** Payload of `NationJoinedAlliance`; member numbers run 1..n in joining order. */
export const NationJoinedAllianceData = t.type({
  allianceId: AllianceId,
  nation: CountryCode,
  programme: NonEmptyString,
  memberNumber: PositiveInteger,
}, 'NationJoinedAlliance');

// Every event is written with its tags (tags.ts) whichever consistency the service uses, so a store can switch to
// the DCB model, and the two models write the same log.

/** Event definition of `ConferenceScheduled` (stream `conference-<id>`). */
export const ConferenceScheduled = defineEvent('ConferenceScheduled', ConferenceScheduledData, { tags: (data) => [conferenceTag(data.conferenceId)] });
/** Event definition of `AttendeeRegistered` (stream `conference-<id>`). */
export const AttendeeRegistered = defineEvent('AttendeeRegistered', AttendeeRegisteredData, {
  tags: (data) => [attendeeTag(data.conferenceId, data.attendeeId), conferenceTag(data.conferenceId)],
});
/** Event definition of `SessionOpened` (stream `conference-<id>`); a session with a ballot carries the ballot's tag. */
export const SessionOpened = defineEvent('SessionOpened', SessionOpenedData, {
  tags: (data) => (data.ballot === null ? [conferenceTag(data.conferenceId)] : [ballotTag(data.conferenceId, data.sessionId), conferenceTag(data.conferenceId)]),
});
/** Event definition of `BallotClosed` (stream `conference-<id>`). */
export const BallotClosed = defineEvent('BallotClosed', BallotClosedData, {
  tags: (data) => [ballotTag(data.conferenceId, data.sessionId), conferenceTag(data.conferenceId)],
});
/** Event definition of `VoteCast` (stream `vote-<conference>.<ballot>.<attendee>`). */
export const VoteCast = defineEvent('VoteCast', VoteCastData, {
  tags: (data) => [attendeeTag(data.conferenceId, data.attendeeId), ballotTag(data.conferenceId, data.ballotId), conferenceTag(data.conferenceId)],
});
/**
 * `AwardGranted` v1 to v2: a vote-decided grant gains its ballot's `conferenceId`, which v1 did not record, so it reads
 * as `null` (unknown). Anything else passes unchanged, for the codec to judge.
 */
export const awardGrantedV1ToV2 = (data: unknown): unknown => {
  if (typeof data !== 'object' || data === null) return data;
  const decidedBy: unknown = (data as { decidedBy?: unknown }).decidedBy;
  if (typeof decidedBy !== 'object' || decidedBy === null || (decidedBy as { kind?: unknown }).kind !== 'vote') return data;
  return { ...data, decidedBy: { conferenceId: null, ...decidedBy } };
};

/** Event definition of `AwardGranted` (stream `award-<id>`); schemaVersion 2 records the ballot's conference. */
export const AwardGranted = defineEvent('AwardGranted', AwardGrantedData, {
  schemaVersion: 2,
  upcasters: [{ fromVersion: 1, upcast: awardGrantedV1ToV2 }],
  tags: (data) => [awardTag(data.awardId)],
});
/** Event definition of `AllianceFounded` (stream `alliance-<id>`). */
export const AllianceFounded = defineEvent('AllianceFounded', AllianceFoundedData, { tags: (data) => [allianceTag(data.allianceId)] });
/** Event definition of `NationJoinedAlliance` (stream `alliance-<id>`). */
export const NationJoinedAlliance = defineEvent('NationJoinedAlliance', NationJoinedAllianceData, { tags: (data) => [allianceTag(data.allianceId)] });

/** Every conference event definition, with `PersonalDataForgotten`, which read models of attendees' names handle. */
export const conferenceEventDefinitions = [
  ConferenceScheduled, AttendeeRegistered, SessionOpened, BallotClosed, VoteCast, AwardGranted, AllianceFounded, NationJoinedAlliance,
  PersonalDataForgotten,
] as const;

/** Encodes and decodes every conference event; the codecs are the single source of the shapes. */
export const conferenceEvents = createEventRegistry(conferenceEventDefinitions);

export type ConferenceScheduled = DomainEvent<'ConferenceScheduled', t.TypeOf<typeof ConferenceScheduledData>>;
export type AttendeeRegistered = DomainEvent<'AttendeeRegistered', t.TypeOf<typeof AttendeeRegisteredData>>;
export type SessionOpened = DomainEvent<'SessionOpened', t.TypeOf<typeof SessionOpenedData>>;
export type BallotClosed = DomainEvent<'BallotClosed', t.TypeOf<typeof BallotClosedData>>;
export type VoteCast = DomainEvent<'VoteCast', t.TypeOf<typeof VoteCastData>>;
export type AwardGranted = DomainEvent<'AwardGranted', t.TypeOf<typeof AwardGrantedData>>;
export type AllianceFounded = DomainEvent<'AllianceFounded', t.TypeOf<typeof AllianceFoundedData>>;
export type NationJoinedAlliance = DomainEvent<'NationJoinedAlliance', t.TypeOf<typeof NationJoinedAllianceData>>;
export type Opener = t.TypeOf<typeof Opener>;
export type Candidate = t.TypeOf<typeof Candidate>;
export type Ballot = t.TypeOf<typeof Ballot>;
export type TallyEntry = t.TypeOf<typeof TallyEntry>;
export type DecidedBy = t.TypeOf<typeof DecidedBy>;

/** The events of the `conference-<id>` stream. */
export type ConferenceStreamEvent = ConferenceScheduled | AttendeeRegistered | SessionOpened | BallotClosed;
/** The events of the `alliance-<id>` stream. */
export type AllianceStreamEvent = AllianceFounded | NationJoinedAlliance;
/** Every conference-model event. */
export type ConferenceEvent = ConferenceStreamEvent | VoteCast | AwardGranted | AllianceStreamEvent | PersonalDataForgotten;
/** The events of a vote's DCB boundary (`voteBoundaryQuery`). */
export type VoteBoundaryEvent = SessionOpened | BallotClosed | VoteCast;

/** The registry of the `conference-<id>` stream: any other event type there is a decode error. */
export const conferenceStreamEvents = createEventRegistry([ConferenceScheduled, AttendeeRegistered, SessionOpened, BallotClosed]);
/** The registry of `vote-…` streams. */
export const voteStreamEvents = createEventRegistry([VoteCast]);
/** The registry of a vote's DCB boundary (`voteBoundaryQuery`): the attendee's votes and the ballot's opening and close. */
export const voteBoundaryEvents = createEventRegistry([SessionOpened, BallotClosed, VoteCast]);
/** The registry of `award-<id>` streams. */
export const awardStreamEvents = createEventRegistry([AwardGranted]);
/** The registry of `alliance-<id>` streams. */
export const allianceStreamEvents = createEventRegistry([AllianceFounded, NationJoinedAlliance]);
