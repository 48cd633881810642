import { conferenceEvents, type ConferenceEvent } from '@clusterconf/domain';
import { defineProjection } from '../projection.js';
import type { Draft } from '../read-model-store.js';

/** Collection `ballots` of projection `ballot_tallies`, one document per `<conferenceId>.<ballotId>`. */
export interface BallotTallyDocument {
  readonly [key: string]: unknown;
  readonly conferenceId: string;
  readonly ballotId: string;
  /** True once the ballot's `SessionOpened` was seen. */
  readonly opened: boolean;
  readonly awardId: string | null;
  readonly candidates: readonly { readonly candidateId: string; readonly name: string; readonly affiliation: string }[];
  readonly closed: boolean;
  /** Shortlisted candidates and any candidate with a counted vote: most votes first, then by candidate id. */
  readonly tally: readonly { readonly candidateId: string; readonly votes: number }[];
  /** Votes counted: cast before the ballot's `BallotClosed` in log order, one per vote stream. */
  readonly counted: number;
  /** Votes after the close in log order: reported here, never counted. */
  readonly late: number;
  /** Second and later events of one vote stream (the `no_stream` append prevents them; an import might not). */
  readonly duplicates: number;
  /** Candidates with the most counted votes: more than one is a tie, none means no votes yet. */
  readonly leaders: readonly string[];
}

/** Ids made so far, by conference then ballot; bounded, as a log holds few ballots. */
const madeIds = new Map<string, Map<string, string>>();
const MADE_IDS_KEPT = 1024;

/**
 * The id of a ballot's document. The same string is returned for the same ballot, so the unit of work's lookup of a
 * vote's document hashes and compares a string it has seen before rather than a new concatenation per vote.
 */
export const ballotDocumentId = (conferenceId: string, ballotId: string): string => {
  let ballots = madeIds.get(conferenceId);
  if (ballots === undefined) {
    if (madeIds.size >= MADE_IDS_KEPT) madeIds.clear();
    madeIds.set(conferenceId, (ballots = new Map()));
  }
  let id = ballots.get(ballotId);
  if (id === undefined) {
    if (ballots.size >= MADE_IDS_KEPT) ballots.clear();
    ballots.set(ballotId, (id = `${conferenceId}.${ballotId}`));
  }
  return id;
};

const empty = (conferenceId: string, ballotId: string): BallotTallyDocument => ({
  conferenceId,
  ballotId,
  opened: false,
  awardId: null,
  candidates: [],
  closed: false,
  tally: [],
  counted: 0,
  late: 0,
  duplicates: 0,
  leaders: [],
});

const ordered = (tally: readonly { candidateId: string; votes: number }[]) =>
  [...tally].sort((a, b) => b.votes - a.votes || (a.candidateId < b.candidateId ? -1 : a.candidateId > b.candidateId ? 1 : 0));

const leadersOf = (tally: readonly { candidateId: string; votes: number }[]): string[] => {
  const top = tally[0]?.votes ?? 0;
  return top === 0 ? [] : tally.filter((entry) => entry.votes === top).map((entry) => entry.candidateId);
};

/** Whether `before` comes ahead of `after` in a tally: more votes first, then the smaller candidate id. */
const ahead = (before: TallyEntry, after: TallyEntry): boolean =>
  before.votes > after.votes || (before.votes === after.votes && before.candidateId < after.candidateId);

type TallyEntry = { readonly candidateId: string; readonly votes: number };

/**
 * Counts one more vote for `candidateId` in an ordered tally, in place: only that entry changes, and it can only move
 * towards the front, so the tally stays equal to `ordered` of the counted votes.
 */
const countVote = (tally: Draft<TallyEntry>[], candidateId: string): void => {
  let index = 0;
  while (index < tally.length && tally[index]!.candidateId !== candidateId) index++;
  if (index === tally.length) tally.push({ candidateId, votes: 0 });
  const entry = tally[index]!;
  entry.votes++;
  while (index > 0 && ahead(entry, tally[index - 1]!)) {
    tally[index] = tally[index - 1]!;
    index--;
  }
  tally[index] = entry;
};

/** True when `leaders` are exactly the leaders of `tally`, so the stored array can be kept. */
const sameLeaders = (tally: readonly TallyEntry[], leaders: readonly string[]): boolean => {
  const top = tally[0]?.votes ?? 0;
  if (top === 0) return leaders.length === 0;
  let count = 0;
  while (count < tally.length && tally[count]!.votes === top) {
    if (leaders[count] !== tally[count]!.candidateId) return false;
    count++;
  }
  return count === leaders.length;
};

/**
 * Ballot tallies with the current leaders, folded exactly like the domain's `tallyVotes`: the global log decides
 * whether a vote precedes its ballot's close. One vote per attendee is kept by the vote stream (`vote-<conference>.
 * <ballot>.<attendee>`, appended with `no_stream`), so a vote counts when it is its stream's first event; this needs
 * no read per vote, which keeps the projection fast on SQL stores.
 */
export const ballotTalliesProjection = defineProjection<ConferenceEvent>(conferenceEvents, {
  name: 'ballot_tallies',
  version: 1,
  handlers: {
    SessionOpened: ({ data }, ops) => {
      const ballot = data.ballot;
      if (ballot === null) return;
      ops.update<BallotTallyDocument>('ballots', ballotDocumentId(data.conferenceId, data.sessionId), (current = empty(data.conferenceId, data.sessionId)) => {
        const votes = new Map(current.tally.map((entry) => [entry.candidateId, entry.votes]));
        for (const candidate of ballot.candidates) if (!votes.has(candidate.candidateId)) votes.set(candidate.candidateId, 0);
        const tally = ordered([...votes].map(([candidateId, count]) => ({ candidateId, votes: count })));
        return {
          ...current,
          opened: true,
          awardId: ballot.awardId,
          candidates: ballot.candidates.map(({ candidateId, name, affiliation }) => ({ candidateId, name, affiliation })),
          tally,
          leaders: leadersOf(tally),
        };
      });
    },
    BallotClosed: ({ data }, ops) =>
      ops.update<BallotTallyDocument>('ballots', ballotDocumentId(data.conferenceId, data.sessionId), (current = empty(data.conferenceId, data.sessionId)) => ({
        ...current,
        closed: true,
      })),
    // The hot path of a rebuild: the batch's draft changes in place, without a sort (one count moves up), and the
    // leaders are kept when unchanged.
    VoteCast: ({ data, streamRevision }, ops) =>
      ops.mutate<BallotTallyDocument>('ballots', ballotDocumentId(data.conferenceId, data.ballotId), () => empty(data.conferenceId, data.ballotId), (ballot) => {
        if (ballot.closed) ballot.late++;
        else if (streamRevision > 0n) ballot.duplicates++;
        else {
          countVote(ballot.tally, data.candidateId);
          ballot.counted++;
          if (!sameLeaders(ballot.tally, ballot.leaders)) ballot.leaders = leadersOf(ballot.tally);
        }
      }),
  },
});
