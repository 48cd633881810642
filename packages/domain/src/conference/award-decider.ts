import * as E from 'fp-ts/lib/Either.js';
import { pipe } from 'fp-ts/lib/function.js';
import type { Decider } from '../kernel/decider.js';
import { AwardId, ConferenceId, SessionId } from './codecs.js';
import { ConferenceErrors, type ConferenceError } from './errors.js';
import type { AwardGranted } from './events.js';
import type { BallotTally } from './tally.js';
import { checkBallotTally, type CheckedTally } from './tally-check.js';
import { UNKNOWN_EVENT_FIX, unreachable } from './unreachable.js';
import { checkCommand, checkId, checkPositiveInteger, checkText } from './validation.js';

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
 * log with `tallyVotes`; the decider checks it against the `BallotTally` codec and takes the leaders from its entries.
 * `tieBreak` names the chosen leader when the ballot is tied. A ballot decides one edition.
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

/** The folded award stream: who received each granted edition, and which edition each ballot decided. */
export interface AwardState {
  readonly editions: ReadonlyMap<number, string>;
  /**
   * The ballots that decided an edition, keyed `<conferenceId>/<ballotId>`, to that edition; rebuilt from `decidedBy`
   * of the vote-decided grants. Grants stored before the event recorded the ballot's conference are not in it.
   */
  readonly ballots: ReadonlyMap<string, number>;
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

/** The ballot's winner: its only leader, or the leader `tieBreak` names. */
const winnerOf = (ballot: CheckedTally, ballotId: SessionId, tieBreak: unknown) => {
  const { leaders } = ballot;
  if (leaders.length === 0) return E.left(ConferenceErrors.emptyTally(ballotId));
  if (tieBreak !== undefined) {
    if (typeof tieBreak !== 'string') return E.left(ConferenceErrors.invalidInput('tieBreak', tieBreak, `one of the leaders ${leaders.join(', ')}`));
    if (!leaders.some((leader) => leader === tieBreak)) return E.left(ConferenceErrors.invalidTieBreak(ballotId, tieBreak, leaders));
  } else if (leaders.length > 1) {
    return E.left(ConferenceErrors.tieNeedsDecision(ballotId, ballot.tally.filter((entry) => leaders.includes(entry.candidateId))));
  }
  const winnerId = tieBreak ?? leaders[0];
  const winner = ballot.candidates.find((candidate) => candidate.candidateId === winnerId);
  return winner === undefined
    ? E.left(ConferenceErrors.unknownCandidate(ballotId, String(winnerId), ballot.candidates.map((candidate) => candidate.candidateId)))
    : E.right(winner);
};

const grantVoted = (command: GrantVotedAward, state: AwardState): Decision =>
  pipe(
    common(command, state),
    E.bind('ballot', () => checkBallotTally('ballot', command.ballot)),
    E.bind('ballotId', ({ ballot }) => checkId(SessionId, 'ballot.ballotId', ballot.ballotId)),
    E.bind('conferenceId', ({ ballot }) => checkId(ConferenceId, 'ballot.conferenceId', ballot.conferenceId)),
    E.chainFirst(({ awardId, ballot, ballotId, conferenceId }): E.Either<ConferenceError, unknown> => {
      if (!ballot.opened) return E.left(ConferenceErrors.sessionNotFound(ballotId));
      if (ballot.awardId !== awardId) return E.left(ConferenceErrors.ballotMismatch('awardId', awardId, ballot.awardId ?? ''));
      if (!ballot.closed) return E.left(ConferenceErrors.ballotStillOpen(ballotId));
      const used = state.ballots.get(ballotKey(conferenceId, ballotId));
      return used === undefined ? E.right(true) : E.left(ConferenceErrors.ballotAlreadyUsed(awardId, conferenceId, ballotId, used));
    }),
    E.bind('winner', ({ ballot, ballotId }) => winnerOf(ballot, ballotId, command.tieBreak)),
    E.map(({ awardId, edition, title, ballot, ballotId, conferenceId, winner }): readonly AwardGranted[] => {
      // Field by field: the codecs keep unknown fields, and a caller's extras do not belong in the log.
      const tally = ballot.tally.map(({ candidateId, votes }) => ({ candidateId, votes }));
      const decidedBy = { kind: 'vote', conferenceId, ballotId, tally } as const;
      return [{ type: 'AwardGranted', data: { awardId, edition, title, recipient: winner.name, affiliation: winner.affiliation, decidedBy } }];
    }),
  );

/** A ballot is a session of one conference: its id alone may recur in another conference. */
const ballotKey = (conferenceId: string, ballotId: string): string => `${conferenceId}/${ballotId}`;

const grant = (state: AwardState, { edition, recipient, decidedBy }: AwardGranted['data']): AwardState => {
  if (state.editions.has(edition)) return state;
  const editions = new Map(state.editions).set(edition, recipient);
  if (decidedBy.kind !== 'vote' || decidedBy.conferenceId === null) return { editions, ballots: state.ballots };
  const key = ballotKey(decidedBy.conferenceId, decidedBy.ballotId);
  return { editions, ballots: state.ballots.has(key) ? state.ballots : new Map(state.ballots).set(key, edition) };
};

/**
 * The award decider over `award-<id>`: each edition is granted once, by jury or by the leader of a closed ballot, and
 * each ballot decides one edition.
 */
export const awardDecider: Decider<AwardCommand, AwardState, AwardGranted, ConferenceError> = {
  initialState: { editions: new Map(), ballots: new Map() },
  evolve: (state, event) => {
    switch (event.type) {
      case 'AwardGranted':
        return grant(state, event.data);
      default:
        return unreachable(event.type, 'type', 'award stream event type', UNKNOWN_EVENT_FIX);
    }
  },
  decide: (command, state) => {
    const known = checkCommand(command, ['GrantJuryAward', 'GrantVotedAward']);
    if (E.isLeft(known)) return known;
    switch (command.type) {
      case 'GrantJuryAward':
        return grantJury(command, state);
      case 'GrantVotedAward':
        return grantVoted(command, state);
      default:
        return unreachable(command, 'type', 'award command type');
    }
  },
};
