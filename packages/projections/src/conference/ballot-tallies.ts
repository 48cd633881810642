import { conferenceEvents, type ConferenceEvent } from '@clusterconf/domain';
import { defineProjection } from '../projection.js';

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

/** The id of a ballot's document. */
export const ballotDocumentId = (conferenceId: string, ballotId: string): string => `${conferenceId}.${ballotId}`;

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
    SessionOpened: async ({ data }, ops) => {
      if (data.ballot === null) return;
      const id = ballotDocumentId(data.conferenceId, data.sessionId);
      const current = (await ops.get<BallotTallyDocument>('ballots', id)) ?? empty(data.conferenceId, data.sessionId);
      const votes = new Map(current.tally.map((entry) => [entry.candidateId, entry.votes]));
      for (const candidate of data.ballot.candidates) if (!votes.has(candidate.candidateId)) votes.set(candidate.candidateId, 0);
      const tally = ordered([...votes].map(([candidateId, count]) => ({ candidateId, votes: count })));
      await ops.upsert('ballots', id, {
        ...current,
        opened: true,
        awardId: data.ballot.awardId,
        candidates: data.ballot.candidates.map(({ candidateId, name, affiliation }) => ({ candidateId, name, affiliation })),
        tally,
        leaders: leadersOf(tally),
      });
    },
    BallotClosed: async ({ data }, ops) => {
      const id = ballotDocumentId(data.conferenceId, data.sessionId);
      const current = (await ops.get<BallotTallyDocument>('ballots', id)) ?? empty(data.conferenceId, data.sessionId);
      await ops.upsert('ballots', id, { ...current, closed: true });
    },
    VoteCast: async ({ data, streamRevision }, ops) => {
      const id = ballotDocumentId(data.conferenceId, data.ballotId);
      const current = (await ops.get<BallotTallyDocument>('ballots', id)) ?? empty(data.conferenceId, data.ballotId);
      if (current.closed) return ops.upsert('ballots', id, { ...current, late: current.late + 1 });
      if (streamRevision > 0n) return ops.upsert('ballots', id, { ...current, duplicates: current.duplicates + 1 });
      let found = false;
      const counted = current.tally.map((entry) => {
        if (entry.candidateId !== data.candidateId) return entry;
        found = true;
        return { candidateId: entry.candidateId, votes: entry.votes + 1 };
      });
      const tally = ordered(found ? counted : [...counted, { candidateId: data.candidateId, votes: 1 }]);
      await ops.upsert('ballots', id, { ...current, tally, counted: current.counted + 1, leaders: leadersOf(tally) });
    },
  },
});
