import * as t from 'io-ts';
import type { ConferenceState, OpenedSession } from './conference-decider.js';

/**
 * Where a ballot stands for a vote: its conference is not scheduled, no session has its id, that session holds no
 * ballot, or the ballot is open or closed. `not-opened` is not produced by `ballotView` (a ballot opens with its
 * session); it is kept for views built elsewhere, and refused like a closed ballot.
 */
export const BallotStatus = t.keyof(
  { 'conference-not-scheduled': null, 'session-not-found': null, 'not-a-ballot': null, 'not-opened': null, open: null, closed: null },
  'BallotStatus',
);
export type BallotStatus = t.TypeOf<typeof BallotStatus>;

/**
 * The facts of a ballot a vote needs, read from the conference stream by the application and carried in `CastVote`,
 * so that the vote stream alone decides "one vote each" without contending on the conference stream. The vote decider
 * checks a view against this codec, so a view from an untyped caller is a typed refusal, never a throw.
 */
export const BallotView = t.readonly(
  t.type({
    conferenceId: t.string,
    ballotId: t.string,
    attendeeId: t.string,
    attendeeRegistered: t.boolean,
    status: BallotStatus,
    /** The shortlist; empty unless the status is `open` or `closed`. */
    candidateIds: t.readonlyArray(t.string),
  }),
  'BallotView',
);
export type BallotView = t.TypeOf<typeof BallotView>;

/** Reads the ballot facts for one attendee out of a folded conference stream. */
export const ballotView = (state: ConferenceState, conferenceId: string, ballotId: string, attendeeId: string): BallotView => {
  const view = (status: BallotStatus, attendeeRegistered = false, candidateIds: readonly string[] = []): BallotView =>
    ({ conferenceId, ballotId, attendeeId, attendeeRegistered, status, candidateIds });
  if (state.status !== 'scheduled' || state.conferenceId !== conferenceId) return view('conference-not-scheduled');
  // Branded keys are plain strings at run time; widening lets raw ids look them up.
  const sessions: ReadonlyMap<string, OpenedSession> = state.sessions;
  const attendees: ReadonlyMap<string, unknown> = state.attendees;
  const registered = attendees.has(attendeeId);
  const session = sessions.get(ballotId);
  if (session === undefined) return view('session-not-found', registered);
  if (session.ballot === null) return view('not-a-ballot', registered);
  const candidateIds = session.ballot.candidates.map((candidate) => candidate.candidateId);
  return view(session.ballot.closed ? 'closed' : 'open', registered, candidateIds);
};
