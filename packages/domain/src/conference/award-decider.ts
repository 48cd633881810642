import * as E from 'fp-ts/lib/Either.js';
import { pipe } from 'fp-ts/lib/function.js';
import type { Decider } from '../kernel/decider.js';
import { AwardId, CandidateId, SessionId } from './codecs.js';
import { ConferenceErrors, type ConferenceError } from './errors.js';
import type { AwardGranted } from './events.js';
import type { BallotTally } from './tally.js';
import { checkCommand, checkId, checkPositiveInteger, checkRecord, checkText } from './validation.js';

/** Grants an award edition by jury decision to a named recipient and affiliation. */
export interface GrantJuryAward {
  readonly type: 'GrantJuryAward';
  readonly awardId: string;
  readonly edition: number;
  readonly title: string;
  readonly recipient: string;
  readonly affiliation: string;
}

/**
 * Grants an award edition to the leader of a closed ballot. `ballot` is the tally the application computed from the
 * log with `tallyVotes`; `tieBreak` names the chosen leader when the ballot is tied.
 */
export interface GrantVotedAward {
  readonly type: 'GrantVotedAward';
  readonly awardId: string;
  readonly edition: number;
  readonly title: string;
  readonly ballot: BallotTally;
  readonly tieBreak?: string;
}

/** The commands of an `award-<id>` stream. */
export type AwardCommand = GrantJuryAward | GrantVotedAward;

/** The folded award stream: who received each granted edition. */
export interface AwardState {
  readonly editions: ReadonlyMap<number, string>;
}

type Decision = E.Either<ConferenceError, readonly AwardGranted[]>;

const common = (command: AwardCommand, state: AwardState) =>
  pipe(
    E.Do,
    E.apS('awardId', checkId(AwardId, 'awardId', command.awardId)),
    E.apS('edition', checkPositiveInteger('edition', command.edition)),
    E.apS('title', checkText('title', command.title)),
    E.chainFirst(({ awardId, edition }) => {
      const recipient = state.editions.get(edition);
      return recipient === undefined ? E.right(undefined) : E.left(ConferenceErrors.awardAlreadyGranted(awardId, edition, recipient));
    }),
  );

const grantJury = (command: GrantJuryAward, state: AwardState): Decision =>
  pipe(
    common(command, state),
    E.apS('recipient', checkText('recipient', command.recipient)),
    E.apS('affiliation', checkText('affiliation', command.affiliation)),
    E.map((valid) => [{ type: 'AwardGranted', data: { ...valid, decidedBy: { kind: 'jury' } } }] as const),
  );

const grantVoted = (command: GrantVotedAward, state: AwardState): Decision =>
  pipe(
    common(command, state),
    E.chainFirst(() => checkRecord('ballot', command.ballot)),
    E.bind('ballotId', () => checkId(SessionId, 'ballot.ballotId', command.ballot.ballotId)),
    E.chain((valid): Decision => {
      const { ballot, tieBreak } = command;
      if (!ballot.opened) return E.left(ConferenceErrors.sessionNotFound(ballot.ballotId));
      if (ballot.awardId !== valid.awardId) return E.left(ConferenceErrors.ballotMismatch('awardId', valid.awardId, ballot.awardId ?? ''));
      if (!ballot.closed) return E.left(ConferenceErrors.ballotStillOpen(ballot.ballotId));
      if (ballot.leaders.length === 0) return E.left(ConferenceErrors.emptyTally(ballot.ballotId));
      if (tieBreak !== undefined && !ballot.leaders.includes(tieBreak)) {
        return E.left(ConferenceErrors.invalidTieBreak(ballot.ballotId, tieBreak, ballot.leaders));
      }
      if (ballot.leaders.length > 1 && tieBreak === undefined) {
        return E.left(ConferenceErrors.tieNeedsDecision(ballot.ballotId, ballot.tally.filter((entry) => ballot.leaders.includes(entry.candidateId))));
      }
      const winnerId = tieBreak ?? ballot.leaders[0]!;
      const winner = ballot.candidates.find((candidate) => candidate.candidateId === winnerId);
      if (!winner || !CandidateId.is(winnerId)) return E.left(ConferenceErrors.unknownCandidate(ballot.ballotId, winnerId, ballot.candidates.map((c) => c.candidateId)));
      const { awardId, edition, title, ballotId } = valid;
      return E.right([{
        type: 'AwardGranted',
        data: { awardId, edition, title, recipient: winner.name, affiliation: winner.affiliation, decidedBy: { kind: 'vote', ballotId, tally: [...ballot.tally] } },
      }]);
    }),
  );

/** The award decider over `award-<id>`: each edition is granted once, by jury or by the leader of a closed ballot. */
export const awardDecider: Decider<AwardCommand, AwardState, AwardGranted, ConferenceError> = {
  initialState: { editions: new Map() },
  evolve: (state, event) =>
    state.editions.has(event.data.edition) ? state : { editions: new Map(state.editions).set(event.data.edition, event.data.recipient) },
  decide: (command, state) => {
    const known = checkCommand(command, ['GrantJuryAward', 'GrantVotedAward']);
    if (E.isLeft(known)) return known;
    switch (command.type) {
      case 'GrantJuryAward':
        return grantJury(command, state);
      case 'GrantVotedAward':
        return grantVoted(command, state);
    }
  },
};
