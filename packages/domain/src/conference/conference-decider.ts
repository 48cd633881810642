import * as E from 'fp-ts/lib/Either.js';
import { pipe } from 'fp-ts/lib/function.js';
import type { Decider } from '../kernel/decider.js';
import { AttendeeId, AwardId, CandidateId, ConferenceId, SessionId, type CountryCode, type IsoDate, type StakeholderGroup } from './codecs.js';
import { ConferenceErrors, type ConferenceError } from './errors.js';
import type { Candidate, ConferenceStreamEvent, Opener } from './events.js';
import { GrowingMap } from './growing-map.js';
import { UNKNOWN_EVENT_FIX, unreachable } from './unreachable.js';
import { checkCommand, checkCountry, checkDate, checkEach, checkGroup, checkId, checkPositiveInteger, checkRecord, checkText } from './validation.js';

/** Schedules a conference on its days, with an optional capacity (`null`: unlimited). */
export interface ScheduleConference {
  readonly type: 'ScheduleConference';
  readonly conferenceId: string;
  readonly name: string;
  readonly days: readonly string[];
  readonly capacity: number | null;
  readonly organisers: readonly string[];
}

/** Registers an attendee once, within capacity. */
export interface RegisterAttendee {
  readonly type: 'RegisterAttendee';
  readonly conferenceId: string;
  readonly attendeeId: string;
  readonly name: string;
  readonly country: string;
  readonly stakeholderGroup: string;
}

/** Opens a session on a conference day; with a ballot, opens that ballot for votes. */
export interface OpenSession {
  readonly type: 'OpenSession';
  readonly conferenceId: string;
  readonly sessionId: string;
  readonly title: string;
  readonly day: string;
  readonly openers: readonly { readonly name: string; readonly role: string }[];
  readonly ballot: null | {
    readonly awardId: string;
    readonly candidates: readonly { readonly candidateId: string; readonly name: string; readonly affiliation: string }[];
  };
}

/** Closes a ballot: votes after the close in the global log are late and do not count. */
export interface CloseBallot {
  readonly type: 'CloseBallot';
  readonly conferenceId: string;
  readonly sessionId: string;
}

/** The commands of the `conference-<id>` stream. */
export type ConferenceCommand = ScheduleConference | RegisterAttendee | OpenSession | CloseBallot;

/** A registered attendee as the conference stream knows it. */
export interface RegisteredAttendee {
  readonly country: CountryCode;
  readonly stakeholderGroup: StakeholderGroup;
}

/** An opened session; `ballot.closed` turns true with `BallotClosed`. */
export interface OpenedSession {
  readonly day: IsoDate;
  readonly ballot: null | { readonly awardId: AwardId; readonly candidates: readonly Candidate[]; readonly closed: boolean };
}

/** The folded `conference-<id>` stream. */
export type ConferenceState =
  | { readonly status: 'unscheduled' }
  | {
      readonly status: 'scheduled';
      readonly conferenceId: ConferenceId;
      readonly days: readonly IsoDate[];
      readonly capacity: number | null;
      /** Grows by one per registration in O(1), so folding a large conference stays linear. */
      readonly attendees: GrowingMap<AttendeeId, RegisteredAttendee>;
      readonly sessions: ReadonlyMap<SessionId, OpenedSession>;
    };

type Scheduled = Extract<ConferenceState, { status: 'scheduled' }>;
type Decision = E.Either<ConferenceError, readonly ConferenceStreamEvent[]>;

const emit = (...events: ConferenceStreamEvent[]): Decision => E.right(events);

const scheduled = (state: ConferenceState, conferenceId: string): E.Either<ConferenceError, Scheduled> =>
  state.status === 'scheduled' && state.conferenceId === conferenceId
    ? E.right(state)
    : E.left(ConferenceErrors.conferenceNotScheduled(conferenceId));

const schedule = (command: ScheduleConference, state: ConferenceState): Decision =>
  pipe(
    E.Do,
    E.apS('conferenceId', checkId(ConferenceId, 'conferenceId', command.conferenceId)),
    E.apS('name', checkText('name', command.name)),
    E.apS('days', checkEach('days', command.days, checkDate)),
    E.apS('capacity', command.capacity === null ? E.right(null) : checkPositiveInteger('capacity', command.capacity)),
    E.apS('organisers', checkEach('organisers', command.organisers, checkText)),
    E.chain((valid) => {
      if (state.status === 'scheduled') return E.left(ConferenceErrors.conferenceAlreadyScheduled(valid.conferenceId));
      if (valid.days.length === 0) return E.left(ConferenceErrors.invalidInput('days', command.days, 'a non-empty list of days'));
      // Days are a set: sorted and distinct, so that "within the conference's days" has one meaning.
      const days = [...new Set(valid.days)].sort();
      return emit({ type: 'ConferenceScheduled', data: { ...valid, days } });
    }),
  );

const register = (command: RegisterAttendee, state: ConferenceState): Decision =>
  pipe(
    E.Do,
    E.apS('conferenceId', checkId(ConferenceId, 'conferenceId', command.conferenceId)),
    E.apS('attendeeId', checkId(AttendeeId, 'attendeeId', command.attendeeId)),
    E.apS('name', checkText('name', command.name)),
    E.apS('country', checkCountry('country', command.country)),
    E.apS('stakeholderGroup', checkGroup(command.stakeholderGroup)),
    E.chain((valid) =>
      pipe(
        scheduled(state, valid.conferenceId),
        E.chain((conference) => {
          if (conference.attendees.has(valid.attendeeId)) {
            return E.left(ConferenceErrors.attendeeAlreadyRegistered(valid.conferenceId, valid.attendeeId));
          }
          if (conference.capacity !== null && conference.attendees.size >= conference.capacity) {
            return E.left(ConferenceErrors.capacityReached(valid.conferenceId, conference.capacity));
          }
          return emit({ type: 'AttendeeRegistered', data: valid });
        }),
      ),
    ),
  );

const checkOpener = (field: string, value: unknown): E.Either<ConferenceError, Opener> =>
  pipe(
    checkRecord(field, value),
    E.chain((opener) =>
      pipe(E.Do, E.apS('name', checkText(`${field}.name`, opener['name'])), E.apS('role', checkText(`${field}.role`, opener['role']))),
    ),
  );

const checkCandidate = (field: string, value: unknown): E.Either<ConferenceError, Candidate> =>
  pipe(
    checkRecord(field, value),
    E.chain((candidate) =>
      pipe(
        E.Do,
        E.apS('candidateId', checkId(CandidateId, `${field}.candidateId`, candidate['candidateId'])),
        E.apS('name', checkText(`${field}.name`, candidate['name'])),
        E.apS('affiliation', checkText(`${field}.affiliation`, candidate['affiliation'])),
      ),
    ),
  );

const checkBallot = (sessionId: string, value: unknown) =>
  value === null
    ? E.right(null)
    : pipe(
        checkRecord('ballot', value),
        E.chain((ballot) =>
          pipe(
            E.Do,
            E.apS('awardId', checkId(AwardId, 'ballot.awardId', ballot['awardId'])),
            E.apS('candidates', checkEach('ballot.candidates', ballot['candidates'], checkCandidate)),
          ),
        ),
        E.chain((ballot) => {
          const seen = new Set<string>();
          for (const candidate of ballot.candidates) {
            if (seen.has(candidate.candidateId)) return E.left(ConferenceErrors.duplicateCandidate(sessionId, candidate.candidateId));
            seen.add(candidate.candidateId);
          }
          return ballot.candidates.length < 2
            ? E.left(ConferenceErrors.ballotNeedsTwoCandidates(sessionId, ballot.candidates.length))
            : E.right(ballot);
        }),
      );

const open = (command: OpenSession, state: ConferenceState): Decision =>
  pipe(
    E.Do,
    E.apS('conferenceId', checkId(ConferenceId, 'conferenceId', command.conferenceId)),
    E.apS('sessionId', checkId(SessionId, 'sessionId', command.sessionId)),
    E.apS('title', checkText('title', command.title)),
    E.apS('day', checkDate('day', command.day)),
    E.apS('openers', checkEach('openers', command.openers, checkOpener)),
    E.bind('ballot', ({ sessionId }) => checkBallot(sessionId, command.ballot)),
    E.chain((valid) =>
      pipe(
        scheduled(state, valid.conferenceId),
        E.chain((conference) => {
          if (valid.openers.length === 0) return E.left(ConferenceErrors.sessionNeedsOpeners(valid.sessionId));
          if (conference.sessions.has(valid.sessionId)) return E.left(ConferenceErrors.sessionAlreadyOpened(valid.sessionId));
          if (!conference.days.includes(valid.day)) {
            return E.left(ConferenceErrors.sessionOutsideConferenceDays(valid.sessionId, valid.day, conference.days));
          }
          return emit({ type: 'SessionOpened', data: valid });
        }),
      ),
    ),
  );

const close = (command: CloseBallot, state: ConferenceState): Decision =>
  pipe(
    E.Do,
    E.apS('conferenceId', checkId(ConferenceId, 'conferenceId', command.conferenceId)),
    E.apS('sessionId', checkId(SessionId, 'sessionId', command.sessionId)),
    E.chain((valid) =>
      pipe(
        scheduled(state, valid.conferenceId),
        E.chain((conference) => {
          const session = conference.sessions.get(valid.sessionId);
          if (!session) return E.left(ConferenceErrors.sessionNotFound(valid.sessionId));
          if (!session.ballot) return E.left(ConferenceErrors.notABallot(valid.sessionId));
          if (session.ballot.closed) return E.left(ConferenceErrors.ballotAlreadyClosed(valid.sessionId));
          return emit({ type: 'BallotClosed', data: valid });
        }),
      ),
    ),
  );

const evolveScheduled = (state: Scheduled, event: Exclude<ConferenceStreamEvent, { type: 'ConferenceScheduled' }>): Scheduled => {
  switch (event.type) {
    case 'AttendeeRegistered': {
      const { attendeeId, country, stakeholderGroup } = event.data;
      const attendees = state.attendees.add(attendeeId, { country, stakeholderGroup });
      return attendees === state.attendees ? state : { ...state, attendees };
    }
    case 'SessionOpened': {
      const { sessionId, day, ballot } = event.data;
      const session: OpenedSession = { day, ballot: ballot && { ...ballot, closed: false } };
      return { ...state, sessions: new Map(state.sessions).set(sessionId, session) };
    }
    case 'BallotClosed': {
      const session = state.sessions.get(event.data.sessionId);
      if (!session?.ballot) return state;
      const closed: OpenedSession = { ...session, ballot: { ...session.ballot, closed: true } };
      return { ...state, sessions: new Map(state.sessions).set(event.data.sessionId, closed) };
    }
    default:
      return unreachable(event, 'type', 'conference stream event type', UNKNOWN_EVENT_FIX);
  }
};

/** The conference decider over `conference-<id>`: schedule, registrations, sessions and ballot closes. */
export const conferenceDecider: Decider<ConferenceCommand, ConferenceState, ConferenceStreamEvent, ConferenceError> = {
  initialState: { status: 'unscheduled' },
  evolve: (state, event) => {
    switch (event.type) {
      case 'ConferenceScheduled': {
        const { conferenceId, days, capacity } = event.data;
        return { status: 'scheduled', conferenceId, days, capacity, attendees: GrowingMap.empty(), sessions: new Map() };
      }
      case 'AttendeeRegistered':
      case 'SessionOpened':
      case 'BallotClosed':
        // Events of a stream that was never scheduled cannot come from this decider; folding ignores them.
        return state.status === 'scheduled' ? evolveScheduled(state, event) : state;
      default:
        return unreachable(event, 'type', 'conference stream event type', UNKNOWN_EVENT_FIX);
    }
  },
  decide: (command, state) => {
    const known = checkCommand(command, ['ScheduleConference', 'RegisterAttendee', 'OpenSession', 'CloseBallot']);
    if (E.isLeft(known)) return known;
    switch (command.type) {
      case 'ScheduleConference':
        return schedule(command, state);
      case 'RegisterAttendee':
        return register(command, state);
      case 'OpenSession':
        return open(command, state);
      case 'CloseBallot':
        return close(command, state);
      default:
        return unreachable(command, 'type', 'conference command type');
    }
  },
};
