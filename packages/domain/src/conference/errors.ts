import type { TallyEntry } from './events.js';
import { unreachable } from './unreachable.js';

/**
 * Every way a conference command can be refused. Each carries a stable `code`, the data needed to act on it and a
 * `message` saying what was wrong, with which input, and what to do.
 */
export type ConferenceError =
  | { readonly code: 'InvalidInput'; readonly field: string; readonly value: unknown; readonly expected: string; readonly message: string }
  | { readonly code: 'BlankField'; readonly field: string; readonly message: string }
  | { readonly code: 'InvalidCountry'; readonly field: string; readonly value: unknown; readonly message: string }
  | { readonly code: 'UnknownStakeholderGroup'; readonly value: unknown; readonly message: string }
  | { readonly code: 'ConferenceAlreadyScheduled'; readonly conferenceId: string; readonly message: string }
  | { readonly code: 'ConferenceNotScheduled'; readonly conferenceId: string; readonly message: string }
  | { readonly code: 'AttendeeAlreadyRegistered'; readonly conferenceId: string; readonly attendeeId: string; readonly message: string }
  | { readonly code: 'CapacityReached'; readonly conferenceId: string; readonly capacity: number; readonly message: string }
  | { readonly code: 'SessionAlreadyOpened'; readonly sessionId: string; readonly message: string }
  | { readonly code: 'SessionOutsideConferenceDays'; readonly sessionId: string; readonly day: string; readonly days: readonly string[]; readonly message: string }
  | { readonly code: 'SessionNeedsOpeners'; readonly sessionId: string; readonly message: string }
  | { readonly code: 'BallotNeedsTwoCandidates'; readonly sessionId: string; readonly candidates: number; readonly message: string }
  | { readonly code: 'DuplicateCandidate'; readonly sessionId: string; readonly candidateId: string; readonly message: string }
  | { readonly code: 'SessionNotFound'; readonly sessionId: string; readonly message: string }
  | { readonly code: 'NotABallot'; readonly sessionId: string; readonly message: string }
  | { readonly code: 'BallotAlreadyClosed'; readonly ballotId: string; readonly message: string }
  | { readonly code: 'NotRegistered'; readonly conferenceId: string; readonly attendeeId: string; readonly message: string }
  | { readonly code: 'BallotNotOpen'; readonly ballotId: string; readonly status: 'not-opened' | 'closed'; readonly message: string }
  | { readonly code: 'UnknownCandidate'; readonly ballotId: string; readonly candidateId: string; readonly shortlist: readonly string[]; readonly message: string }
  | { readonly code: 'AlreadyVoted'; readonly ballotId: string; readonly attendeeId: string; readonly votedFor: string; readonly message: string }
  | { readonly code: 'BallotMismatch'; readonly field: string; readonly expected: string; readonly got: string; readonly message: string }
  | { readonly code: 'AwardAlreadyGranted'; readonly awardId: string; readonly edition: number; readonly recipient: string; readonly message: string }
  | { readonly code: 'BallotAlreadyUsed'; readonly awardId: string; readonly conferenceId: string; readonly ballotId: string; readonly edition: number; readonly message: string }
  | { readonly code: 'BallotStillOpen'; readonly ballotId: string; readonly message: string }
  | { readonly code: 'EmptyTally'; readonly ballotId: string; readonly message: string }
  | { readonly code: 'TieNeedsDecision'; readonly ballotId: string; readonly tied: readonly TallyEntry[]; readonly message: string }
  | { readonly code: 'InvalidTieBreak'; readonly ballotId: string; readonly candidateId: string; readonly leaders: readonly string[]; readonly message: string }
  | { readonly code: 'AllianceAlreadyFounded'; readonly allianceId: string; readonly message: string }
  | { readonly code: 'AllianceNotFounded'; readonly allianceId: string; readonly message: string }
  | { readonly code: 'NationAlreadyMember'; readonly allianceId: string; readonly nation: string; readonly memberNumber: number; readonly message: string };

/** The stable codes of `ConferenceError`. */
export type ConferenceErrorCode = ConferenceError['code'];

/** What kind of answer an error calls for, e.g. for mapping to HTTP statuses: fix the input, or the state forbids it. */
export type ConferenceErrorKind = 'invalid-input' | 'not-found' | 'conflict' | 'refused';

/** Classifies an error; the switch is exhaustive, so a new code cannot be forgotten. */
export const conferenceErrorKind = (error: ConferenceError): ConferenceErrorKind => {
  switch (error.code) {
    case 'InvalidInput':
    case 'BlankField':
    case 'InvalidCountry':
    case 'UnknownStakeholderGroup':
    case 'SessionNeedsOpeners':
    case 'BallotNeedsTwoCandidates':
    case 'DuplicateCandidate':
    case 'SessionOutsideConferenceDays':
    case 'UnknownCandidate':
    case 'BallotMismatch':
    case 'InvalidTieBreak':
      return 'invalid-input';
    case 'ConferenceNotScheduled':
    case 'SessionNotFound':
    case 'AllianceNotFounded':
    case 'NotRegistered':
      return 'not-found';
    case 'ConferenceAlreadyScheduled':
    case 'AttendeeAlreadyRegistered':
    case 'SessionAlreadyOpened':
    case 'BallotAlreadyClosed':
    case 'AlreadyVoted':
    case 'AwardAlreadyGranted':
    case 'BallotAlreadyUsed':
    case 'AllianceAlreadyFounded':
    case 'NationAlreadyMember':
      return 'conflict';
    case 'CapacityReached':
    case 'NotABallot':
    case 'BallotNotOpen':
    case 'BallotStillOpen':
    case 'EmptyTally':
    case 'TieNeedsDecision':
      return 'refused';
    default:
      return unreachable(error, 'code', 'conference error code');
  }
};

// Bad input may be anything (a bigint, a cycle, an object without a prototype): describing it must never throw.
const show = (value: unknown): string => {
  if (value === undefined) return 'nothing';
  let text: string | undefined;
  try {
    text = JSON.stringify(value);
  } catch {
    text = undefined;
  }
  if (text === undefined) {
    try {
      text = String(value);
    } catch {
      text = `a ${typeof value}`;
    }
  }
  return text.length > 60 ? `${text.slice(0, 60)}…` : text;
};

/** Constructors of `ConferenceError`, one per code, each writing the message. */
export const ConferenceErrors = {
  invalidInput: (field: string, value: unknown, expected: string): ConferenceError => ({
    code: 'InvalidInput', field, value, expected,
    message: `${field} is ${show(value)}, which is not ${expected}; correct it and send the command again`,
  }),
  blankField: (field: string): ConferenceError => ({
    code: 'BlankField', field, message: `${field} is empty; give a non-blank value`,
  }),
  invalidCountry: (field: string, value: unknown): ConferenceError => ({
    code: 'InvalidCountry', field, value,
    message: `${field} is ${show(value)}, which is not an assigned ISO 3166-1 alpha-2 code; use the upper-case two-letter code, e.g. "DE"`,
  }),
  unknownStakeholderGroup: (value: unknown, groups: readonly string[]): ConferenceError => ({
    code: 'UnknownStakeholderGroup', value,
    message: `stakeholderGroup is ${show(value)}; use one of ${groups.join(', ')}`,
  }),
  conferenceAlreadyScheduled: (conferenceId: string): ConferenceError => ({
    code: 'ConferenceAlreadyScheduled', conferenceId,
    message: `Conference "${conferenceId}" is already scheduled; choose another conferenceId for a new conference`,
  }),
  conferenceNotScheduled: (conferenceId: string): ConferenceError => ({
    code: 'ConferenceNotScheduled', conferenceId,
    message: `Conference "${conferenceId}" is not scheduled; schedule it first with ScheduleConference`,
  }),
  attendeeAlreadyRegistered: (conferenceId: string, attendeeId: string): ConferenceError => ({
    code: 'AttendeeAlreadyRegistered', conferenceId, attendeeId,
    message: `Attendee "${attendeeId}" is already registered for "${conferenceId}"; an attendee registers once`,
  }),
  capacityReached: (conferenceId: string, capacity: number): ConferenceError => ({
    code: 'CapacityReached', conferenceId, capacity,
    message: `Conference "${conferenceId}" is full (capacity ${capacity}); no further attendee can register`,
  }),
  sessionAlreadyOpened: (sessionId: string): ConferenceError => ({
    code: 'SessionAlreadyOpened', sessionId, message: `Session "${sessionId}" is already open; a session opens once, use a new sessionId`,
  }),
  sessionOutsideConferenceDays: (sessionId: string, day: string, days: readonly string[]): ConferenceError => ({
    code: 'SessionOutsideConferenceDays', sessionId, day, days,
    message: `Session "${sessionId}" is on ${day}, which is not a conference day (${days.join(', ')}); pick one of them`,
  }),
  sessionNeedsOpeners: (sessionId: string): ConferenceError => ({
    code: 'SessionNeedsOpeners', sessionId, message: `Session "${sessionId}" has no openers; name at least one opener with a role`,
  }),
  ballotNeedsTwoCandidates: (sessionId: string, candidates: number): ConferenceError => ({
    code: 'BallotNeedsTwoCandidates', sessionId, candidates,
    message: `The ballot of session "${sessionId}" lists ${candidates} candidate(s); shortlist at least two distinct candidates`,
  }),
  duplicateCandidate: (sessionId: string, candidateId: string): ConferenceError => ({
    code: 'DuplicateCandidate', sessionId, candidateId,
    message: `The ballot of session "${sessionId}" lists candidate "${candidateId}" twice; list each candidate once`,
  }),
  sessionNotFound: (sessionId: string): ConferenceError => ({
    code: 'SessionNotFound', sessionId, message: `Session "${sessionId}" has not been opened; open it first with OpenSession`,
  }),
  notABallot: (sessionId: string): ConferenceError => ({
    code: 'NotABallot', sessionId, message: `Session "${sessionId}" holds no ballot; only a ballot session can be closed or voted in`,
  }),
  ballotAlreadyClosed: (ballotId: string): ConferenceError => ({
    code: 'BallotAlreadyClosed', ballotId, message: `Ballot "${ballotId}" is already closed; nothing to do`,
  }),
  notRegistered: (conferenceId: string, attendeeId: string): ConferenceError => ({
    code: 'NotRegistered', conferenceId, attendeeId,
    message: `Attendee "${attendeeId}" is not registered for "${conferenceId}"; only registered attendees vote, register first`,
  }),
  ballotNotOpen: (ballotId: string, status: 'not-opened' | 'closed'): ConferenceError => ({
    code: 'BallotNotOpen', ballotId, status,
    message: status === 'closed'
      ? `Ballot "${ballotId}" is closed; votes are no longer accepted`
      : `Ballot "${ballotId}" has not been opened; wait for its session to open`,
  }),
  unknownCandidate: (ballotId: string, candidateId: string, shortlist: readonly string[]): ConferenceError => ({
    code: 'UnknownCandidate', ballotId, candidateId, shortlist,
    message: `Candidate "${candidateId}" is not on the shortlist of ballot "${ballotId}"; vote for one of ${shortlist.join(', ')}`,
  }),
  alreadyVoted: (ballotId: string, attendeeId: string, votedFor: string): ConferenceError => ({
    code: 'AlreadyVoted', ballotId, attendeeId, votedFor,
    message: `Attendee "${attendeeId}" already voted for "${votedFor}" on ballot "${ballotId}"; a vote cannot be changed`,
  }),
  ballotMismatch: (field: string, expected: string, got: string): ConferenceError => ({
    code: 'BallotMismatch', field, expected, got,
    message: `The ballot facts are for ${field} "${got}" but the command is for "${expected}"; load the facts of the ballot you act on`,
  }),
  awardAlreadyGranted: (awardId: string, edition: number, recipient: string): ConferenceError => ({
    code: 'AwardAlreadyGranted', awardId, edition, recipient,
    message: `Award "${awardId}" edition ${edition} was already granted to ${recipient}; an award is granted once per edition`,
  }),
  ballotAlreadyUsed: (awardId: string, conferenceId: string, ballotId: string, edition: number): ConferenceError => ({
    code: 'BallotAlreadyUsed', awardId, conferenceId, ballotId, edition,
    message: `Ballot "${ballotId}" of conference "${conferenceId}" already decided edition ${edition} of award "${awardId}"; ` +
      'a ballot decides one edition, so hold a new ballot for this one',
  }),
  ballotStillOpen: (ballotId: string): ConferenceError => ({
    code: 'BallotStillOpen', ballotId, message: `Ballot "${ballotId}" is still open; close it with CloseBallot before granting its award`,
  }),
  emptyTally: (ballotId: string): ConferenceError => ({
    code: 'EmptyTally', ballotId, message: `Ballot "${ballotId}" has no counted votes; an award decided by vote needs at least one`,
  }),
  tieNeedsDecision: (ballotId: string, tied: readonly TallyEntry[]): ConferenceError => ({
    code: 'TieNeedsDecision', ballotId, tied,
    message: `Ballot "${ballotId}" is tied between ${tied.map((entry) => `"${entry.candidateId}"`).join(', ')} with ${tied[0]?.votes ?? 0} votes each; send the command again with tieBreak naming one of them`,
  }),
  invalidTieBreak: (ballotId: string, candidateId: string, leaders: readonly string[]): ConferenceError => ({
    code: 'InvalidTieBreak', ballotId, candidateId, leaders,
    message: `tieBreak "${candidateId}" is not among the leaders of ballot "${ballotId}" (${leaders.join(', ')}); name one of them`,
  }),
  allianceAlreadyFounded: (allianceId: string): ConferenceError => ({
    code: 'AllianceAlreadyFounded', allianceId, message: `Alliance "${allianceId}" is already founded; choose another allianceId`,
  }),
  allianceNotFounded: (allianceId: string): ConferenceError => ({
    code: 'AllianceNotFounded', allianceId, message: `Alliance "${allianceId}" has not been founded; found it first with FoundAlliance`,
  }),
  nationAlreadyMember: (allianceId: string, nation: string, memberNumber: number): ConferenceError => ({
    code: 'NationAlreadyMember', allianceId, nation, memberNumber,
    message: `${nation} already joined alliance "${allianceId}" as member ${memberNumber}; a nation joins once`,
  }),
} as const;
