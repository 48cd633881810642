import * as E from 'fp-ts/lib/Either.js';
import { pipe } from 'fp-ts/lib/function.js';
import type { Decider } from '../kernel/decider.js';
import { BallotView } from './ballot-view.js';
import { AttendeeId, CandidateId, ConferenceId, SessionId } from './codecs.js';
import { ConferenceErrors, type ConferenceError } from './errors.js';
import type { VoteCast } from './events.js';
import { UNKNOWN_EVENT_FIX, unreachable } from './unreachable.js';
import { checkCodec, checkCommand, checkId } from './validation.js';

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

type Decision = E.Either<ConferenceError, readonly VoteCast[]>;
type Vote = VoteCast['data'];

/** Whether the ballot takes this vote: it exists, the attendee is registered, it is open, the candidate is on it. */
const admit = (vote: Vote, ballot: BallotView): Decision => {
  switch (ballot.status) {
    case 'conference-not-scheduled':
      return E.left(ConferenceErrors.conferenceNotScheduled(vote.conferenceId));
    case 'session-not-found':
      return E.left(ConferenceErrors.sessionNotFound(vote.ballotId));
    case 'not-a-ballot':
      return E.left(ConferenceErrors.notABallot(vote.ballotId));
    case 'not-opened':
    case 'closed':
    case 'open':
      break;
    default:
      return unreachable(ballot.status, 'type', 'ballot status');
  }
  if (!ballot.attendeeRegistered) return E.left(ConferenceErrors.notRegistered(vote.conferenceId, vote.attendeeId));
  if (ballot.status !== 'open') return E.left(ConferenceErrors.ballotNotOpen(vote.ballotId, ballot.status));
  if (!ballot.candidateIds.includes(vote.candidateId)) {
    return E.left(ConferenceErrors.unknownCandidate(vote.ballotId, vote.candidateId, ballot.candidateIds));
  }
  return E.right([{ type: 'VoteCast', data: vote }]);
};

/**
 * Decides a vote: the command's ids and ballot view checked, then the attendee's `earlier` vote (the same candidate
 * again is a retry that appends nothing; another one is `AlreadyVoted`), then the ballot as the view has it, closed
 * also when `closed` says the decision read the ballot's close. Shared by the stream decider (`voteDecider`, where
 * only the view knows of the close) and the DCB one (`dcbVoteDecider`, whose boundary holds the close).
 */
export const decideCastVote = (command: CastVote, earlier: VoteCast['data'] | null, closed: boolean): Decision =>
  pipe(
    E.Do,
    E.apS('conferenceId', checkId(ConferenceId, 'conferenceId', command.conferenceId)),
    E.apS('ballotId', checkId(SessionId, 'ballotId', command.ballotId)),
    E.apS('attendeeId', checkId(AttendeeId, 'attendeeId', command.attendeeId)),
    E.apS('candidateId', checkId(CandidateId, 'candidateId', command.candidateId)),
    E.bindTo('vote'),
    E.bind('ballot', () => checkCodec(BallotView, 'ballot', command.ballot)),
    E.chain(({ vote, ballot }): Decision => {
      for (const field of ['conferenceId', 'ballotId', 'attendeeId'] as const) {
        if (ballot[field] !== vote[field]) return E.left(ConferenceErrors.ballotMismatch(field, vote[field], ballot[field]));
      }
      // A repeated identical vote is a retry: it succeeds and appends nothing, whatever the ballot's state now.
      if (earlier !== null) {
        return earlier.candidateId === vote.candidateId
          ? E.right([])
          : E.left(ConferenceErrors.alreadyVoted(vote.ballotId, vote.attendeeId, earlier.candidateId));
      }
      return admit(vote, closed && ballot.status === 'open' ? { ...ballot, status: 'closed' } : ballot);
    }),
  );

/** The vote decider over `vote-<conference>.<ballot>.<attendee>`: at most one vote per attendee and ballot. */
export const voteDecider: Decider<VoteCommand, VoteState, VoteCast, ConferenceError> = {
  initialState: { vote: null },
  evolve: (state, event) => {
    switch (event.type) {
      // The first vote stands: the stream is appended with no_stream, so a second event cannot come from this decider.
      case 'VoteCast':
        return state.vote === null ? { vote: event.data } : state;
      default:
        return unreachable(event.type, 'type', 'vote stream event type', UNKNOWN_EVENT_FIX);
    }
  },
  decide: (command, state) => {
    const known = checkCommand(command, ['CastVote']);
    return E.isLeft(known) ? known : decideCastVote(command, state.vote, false);
  },
};
