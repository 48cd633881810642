import * as E from 'fp-ts/lib/Either.js';
import { pipe } from 'fp-ts/lib/function.js';
import type { CandidateId } from './codecs.js';
import { ConferenceErrors, type ConferenceError } from './errors.js';
import { BallotTally, leadersOf } from './tally.js';
import { checkCodec } from './validation.js';

/** A caller's tally that has the shape of `BallotTally` and agrees with itself; its leaders are the tally's. */
export type CheckedTally = BallotTally & { readonly leaders: readonly CandidateId[] };

const distinct = (field: string, ids: readonly string[]): E.Either<ConferenceError, true> => {
  const seen = new Set<string>();
  for (const [index, id] of ids.entries()) {
    if (seen.has(id)) return E.left(ConferenceErrors.invalidInput(`${field}.${index}.candidateId`, id, `a candidate id not listed earlier in ${field}`));
    seen.add(id);
  }
  return E.right(true);
};

const sameMembers = (a: readonly string[], b: readonly string[]): boolean => a.length === b.length && a.every((id) => b.includes(id));

/**
 * Checks a tally that comes with a command (from the application, or from an untyped caller) before anything in it
 * reaches an event: its shape against the `BallotTally` codec, each candidate listed once, and `leaders` equal to the
 * candidates with the most votes in `tally`, which is what the returned tally carries.
 */
export const checkBallotTally = (field: string, value: unknown): E.Either<ConferenceError, CheckedTally> =>
  pipe(
    checkCodec(BallotTally, field, value),
    E.chainFirst((ballot) => distinct(`${field}.candidates`, ballot.candidates.map((candidate) => candidate.candidateId))),
    E.chainFirst((ballot) => distinct(`${field}.tally`, ballot.tally.map((entry) => entry.candidateId))),
    E.chain((ballot) => {
      const leaders = leadersOf(ballot.tally);
      return sameMembers(leaders, ballot.leaders)
        ? E.right({ ...ballot, leaders })
        : E.left(ConferenceErrors.invalidInput(`${field}.leaders`, ballot.leaders,
          `the candidates with the most votes in ${field}.tally, here ${JSON.stringify(leaders)} (tallyVotes computes both)`));
    }),
  );
