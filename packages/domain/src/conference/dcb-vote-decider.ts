import * as E from 'fp-ts/lib/Either.js';
import type { Decider } from '../kernel/decider.js';
import type { ConferenceError } from './errors.js';
import type { VoteBoundaryEvent, VoteCast } from './events.js';
import { UNKNOWN_EVENT_FIX, unreachable } from './unreachable.js';
import { checkCommand } from './validation.js';
import { decideCastVote, type VoteCommand } from './vote-decider.js';

/** A vote's DCB boundary folded (`voteBoundaryQuery`): the attendee's vote on the ballot, if any, and whether it opened and closed. */
export interface VoteBoundaryState {
  readonly vote: VoteCast['data'] | null;
  readonly opened: boolean;
  readonly closed: boolean;
}

/**
 * The vote decider of the DCB model: the same rules as `voteDecider`, decided on the events of `voteBoundaryQuery`
 * (the attendee's votes on the ballot, the ballot's opening and close) rather than on one vote stream. The append is
 * conditional on that query, so a vote racing the close, or a second vote of the same attendee, fails its condition
 * and is decided again: refused as `BallotNotOpen` or answered as the vote already cast.
 */
export const dcbVoteDecider: Decider<VoteCommand, VoteBoundaryState, VoteBoundaryEvent, ConferenceError> = {
  initialState: { vote: null, opened: false, closed: false },
  evolve: (state, event) => {
    switch (event.type) {
      // The first vote stands: a second one cannot be appended on this boundary.
      case 'VoteCast':
        return state.vote === null ? { ...state, vote: event.data } : state;
      case 'SessionOpened':
        return state.opened ? state : { ...state, opened: true };
      case 'BallotClosed':
        return state.closed ? state : { ...state, closed: true };
      default:
        return unreachable(event, 'type', 'vote boundary event type', UNKNOWN_EVENT_FIX);
    }
  },
  decide: (command, state) => {
    const known = checkCommand(command, ['CastVote']);
    return E.isLeft(known) ? known : decideCastVote(command, state.vote, state.closed);
  },
};
