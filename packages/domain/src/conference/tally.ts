import * as t from 'io-ts';
import type { DomainEvent } from '../kernel/event.js';
import { NonNegativeInteger, type CandidateId } from './codecs.js';
import { BallotClosedData, Candidate, SessionOpenedData, TallyEntry, VoteCastData, type VoteCast } from './events.js';

/** The count of one ballot as the log has it; its parts are the event codecs' shapes. */
export const BallotTally = t.readonly(
  t.type({
    conferenceId: t.string,
    ballotId: t.string,
    /** From the ballot's `SessionOpened`, when the events include it. */
    opened: t.boolean,
    awardId: t.union([t.string, t.null]),
    candidates: t.readonlyArray(Candidate),
    closed: t.boolean,
    /** Every candidate that is shortlisted or got a counted vote, most votes first, then by candidate id. */
    tally: t.readonlyArray(TallyEntry),
    /** Votes counted: those before the close in log order, one per attendee. */
    counted: NonNegativeInteger,
    /** Votes after the ballot's `BallotClosed` in log order: reported, not counted. */
    late: t.readonlyArray(VoteCastData),
    /** Second and later votes of one attendee, which the vote streams prevent but a merged log might hold. */
    duplicates: t.readonlyArray(VoteCastData),
    /** The candidates with the most counted votes; more than one is a tie, none means no votes. */
    leaders: t.readonlyArray(t.string),
  }),
  'BallotTally',
);
export type BallotTally = t.TypeOf<typeof BallotTally>;

/** The candidates of a tally with the most votes, in tally order; none when no candidate has a vote. */
export const leadersOf = (tally: readonly TallyEntry[]): CandidateId[] => {
  const top = tally.reduce((most, entry) => Math.max(most, entry.votes), 0);
  return top === 0 ? [] : tally.filter((entry) => entry.votes === top).map((entry) => entry.candidateId);
};

const byVotesThenId = (a: TallyEntry, b: TallyEntry): number =>
  b.votes - a.votes || (a.candidateId < b.candidateId ? -1 : a.candidateId > b.candidateId ? 1 : 0);

/**
 * Folds the events of one ballot in log order: counts the votes before the ballot's close, reports the late ones and
 * names the leaders. Events of other ballots and other types are skipped, so any slice of the log may be passed; so is
 * an event whose payload its codec refuses (decode events with their registry to have such an event reported instead).
 */
export const tallyVotes = (events: Iterable<DomainEvent>, conferenceId: string, ballotId: string): BallotTally => {
  let opened = false;
  let closed = false;
  let awardId: string | null = null;
  let candidates: readonly Candidate[] = [];
  const counts = new Map<CandidateId, number>();
  const voters = new Set<string>();
  const late: VoteCast['data'][] = [];
  const duplicates: VoteCast['data'][] = [];
  for (const { type, data } of events) {
    if (type === 'SessionOpened') {
      if (!SessionOpenedData.is(data) || data.conferenceId !== conferenceId || data.sessionId !== ballotId || data.ballot === null) continue;
      opened = true;
      awardId = data.ballot.awardId;
      candidates = data.ballot.candidates;
      for (const candidate of candidates) if (!counts.has(candidate.candidateId)) counts.set(candidate.candidateId, 0);
    } else if (type === 'BallotClosed') {
      if (BallotClosedData.is(data) && data.conferenceId === conferenceId && data.sessionId === ballotId) closed = true;
    } else if (type === 'VoteCast') {
      if (!VoteCastData.is(data) || data.conferenceId !== conferenceId || data.ballotId !== ballotId) continue;
      if (closed) late.push(data);
      else if (voters.has(data.attendeeId)) duplicates.push(data);
      else {
        voters.add(data.attendeeId);
        counts.set(data.candidateId, (counts.get(data.candidateId) ?? 0) + 1);
      }
    }
  }
  const tally: TallyEntry[] = [...counts].map(([candidateId, votes]) => ({ candidateId, votes })).sort(byVotesThenId);
  return { conferenceId, ballotId, opened, awardId, candidates, closed, tally, counted: voters.size, late, duplicates, leaders: leadersOf(tally) };
};
