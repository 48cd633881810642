import type { ConferenceState, OpenedSession } from './conference-decider.js';

/**
 * The facts of a ballot a vote needs, read from the conference stream by the application and carried in `CastVote`,
 * so that the vote stream alone decides "one vote each" without contending on the conference stream.
 */
export interface BallotView {
  readonly conferenceId: string;
  readonly ballotId: string;
  readonly attendeeId: string;
  readonly attendeeRegistered: boolean;
  /** `not-opened` also covers a session without a ballot and an unscheduled conference. */
  readonly status: 'not-opened' | 'open' | 'closed';
  readonly candidateIds: readonly string[];
}

/** Reads the ballot facts for one attendee out of a folded conference stream. */
export const ballotView = (state: ConferenceState, conferenceId: string, ballotId: string, attendeeId: string): BallotView => {
  if (state.status !== 'scheduled' || state.conferenceId !== conferenceId) {
    return { conferenceId, ballotId, attendeeId, attendeeRegistered: false, status: 'not-opened', candidateIds: [] };
  }
  // Branded keys are plain strings at run time; widening lets raw ids look them up.
  const sessions: ReadonlyMap<string, OpenedSession> = state.sessions;
  const attendees: ReadonlyMap<string, unknown> = state.attendees;
  const ballot = sessions.get(ballotId)?.ballot ?? null;
  return {
    conferenceId,
    ballotId,
    attendeeId,
    attendeeRegistered: attendees.has(attendeeId),
    status: ballot === null ? 'not-opened' : ballot.closed ? 'closed' : 'open',
    candidateIds: ballot?.candidates.map((candidate) => candidate.candidateId) ?? [],
  };
};
