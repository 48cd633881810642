import * as t from 'io-ts';
import {
  AllianceId, AwardId, Candidate, ConferenceId, CountryCode, IsoDate, NonEmptyString, NonNegativeInteger, PositiveInteger, SessionId,
  type AllianceState, type AwardState, type ConferenceState,
} from '@clusterconf/domain';

// The stream-backed resources, as the folded streams have them: what `GET /conferences/<id>` and its siblings answer,
// with the stream's revision as ETag. Their codecs are the domain's own, so the OpenAPI document names the rules
// (ConferenceId, IsoDate, CountryCode…) that the values keep.

/** A session of a conference, with its ballot. */
export const SessionView = t.strict({
  sessionId: SessionId,
  day: IsoDate,
  ballot: t.union([t.null, t.strict({ awardId: AwardId, candidates: t.array(Candidate), closed: t.boolean })]),
}, 'Session');

/** A scheduled conference: its days, capacity, how many registered, and its sessions in the order they opened. */
export const ConferenceView = t.strict({
  conferenceId: ConferenceId,
  days: t.array(IsoDate),
  capacity: t.union([PositiveInteger, t.null]),
  attendees: NonNegativeInteger,
  sessions: t.array(SessionView),
}, 'Conference');
export type ConferenceView = t.TypeOf<typeof ConferenceView>;

/** A founded alliance and its members, by member number. */
export const AllianceView = t.strict({
  allianceId: AllianceId,
  members: t.array(t.strict({ nation: CountryCode, memberNumber: PositiveInteger }, 'Member')),
}, 'Alliance');
export type AllianceView = t.TypeOf<typeof AllianceView>;

/** An award and the recipient of each granted edition, by edition. */
export const AwardView = t.strict({
  awardId: AwardId,
  editions: t.array(t.strict({ edition: PositiveInteger, recipient: NonEmptyString }, 'Edition')),
}, 'Award');
export type AwardView = t.TypeOf<typeof AwardView>;

/** The conference, or undefined before it is scheduled. Pure. */
export const conferenceView = (state: ConferenceState): ConferenceView | undefined =>
  state.status === 'unscheduled'
    ? undefined
    : {
        conferenceId: state.conferenceId,
        days: [...state.days],
        capacity: state.capacity,
        attendees: state.attendees.size,
        sessions: [...state.sessions].map(([sessionId, session]) => ({
          sessionId,
          day: session.day,
          ballot: session.ballot === null ? null : { awardId: session.ballot.awardId, candidates: [...session.ballot.candidates], closed: session.ballot.closed },
        })),
      };

/** The alliance, or undefined before it is founded. Pure. */
export const allianceView = (state: AllianceState): AllianceView | undefined =>
  state.status === 'unfounded'
    ? undefined
    : {
        allianceId: state.allianceId,
        members: [...state.members].map(([nation, memberNumber]) => ({ nation, memberNumber })).sort((a, b) => a.memberNumber - b.memberNumber),
      };

/** The award's editions; an award stream exists from its first grant, so the caller knows `awardId` is one. Pure. */
export const awardView = (awardId: AwardId, state: AwardState): AwardView => ({
  awardId,
  editions: [...state.editions].map(([edition, recipient]) => ({ edition, recipient })).sort((a, b) => a.edition - b.edition),
});
