import * as E from 'fp-ts/lib/Either.js';
import { pipe } from 'fp-ts/lib/function.js';
import type { Decider } from '../kernel/decider.js';
import type { BallotView } from './ballot-view.js';
import { AttendeeId, CandidateId, ConferenceId, SessionId } from './codecs.js';
import { ConferenceErrors, type ConferenceError } from './errors.js';
import type { VoteCast } from './events.js';
import { checkCommand, checkId, checkRecord } from './validation.js';

/** Casts one attendee's vote on one ballot; `ballot` are the facts the application read from the conference stream. */
export interface CastVote {
  readonly type: 'CastVote';
  readonly conferenceId: string;
  readonly ballotId: string;
  readonly attendeeId: string;
  readonly candidateId: string;
  readonly ballot: BallotView;
}

/** The commands of a `vote-<conference>.<ballot>.<attendee>` stream. */
export type VoteCommand = CastVote;

/** The folded vote stream: the vote it holds, if any. */
export interface VoteState {
  readonly vote: VoteCast['data'] | null;
}

const cast = (command: CastVote, state: VoteState): E.Either<ConferenceError, readonly VoteCast[]> =>
  pipe(
    E.Do,
    E.apS('conferenceId', checkId(ConferenceId, 'conferenceId', command.conferenceId)),
    E.apS('ballotId', checkId(SessionId, 'ballotId', command.ballotId)),
    E.apS('attendeeId', checkId(AttendeeId, 'attendeeId', command.attendeeId)),
    E.apS('candidateId', checkId(CandidateId, 'candidateId', command.candidateId)),
    E.chainFirst(() => checkRecord('ballot', command.ballot)),
    E.chain((vote): E.Either<ConferenceError, readonly VoteCast[]> => {
      const { ballot } = command;
      for (const field of ['conferenceId', 'ballotId', 'attendeeId'] as const) {
        if (ballot[field] !== vote[field]) return E.left(ConferenceErrors.ballotMismatch(field, vote[field], ballot[field]));
      }
      // A repeated identical vote is a retry: it succeeds and appends nothing, whatever the ballot's state now.
      if (state.vote !== null) {
        return state.vote.candidateId === vote.candidateId
          ? E.right([])
          : E.left(ConferenceErrors.alreadyVoted(vote.ballotId, vote.attendeeId, state.vote.candidateId));
      }
      if (!ballot.attendeeRegistered) return E.left(ConferenceErrors.notRegistered(vote.conferenceId, vote.attendeeId));
      if (ballot.status !== 'open') return E.left(ConferenceErrors.ballotNotOpen(vote.ballotId, ballot.status));
      if (!ballot.candidateIds.includes(vote.candidateId)) {
        return E.left(ConferenceErrors.unknownCandidate(vote.ballotId, vote.candidateId, ballot.candidateIds));
      }
      return E.right([{ type: 'VoteCast', data: vote }]);
    }),
  );

/** The vote decider over `vote-<conference>.<ballot>.<attendee>`: at most one vote per attendee and ballot. */
export const voteDecider: Decider<VoteCommand, VoteState, VoteCast, ConferenceError> = {
  initialState: { vote: null },
  // The first vote stands: the stream is appended with no_stream, so a second event cannot come from this decider.
  evolve: (state, event) => (state.vote === null ? { vote: event.data } : state),
  decide: (command, state) => {
    const known = checkCommand(command, ['CastVote']);
    return E.isLeft(known) ? known : cast(command, state);
  },
};
