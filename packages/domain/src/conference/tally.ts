import type { DomainEvent } from '../kernel/event.js';
import type { Candidate, TallyEntry, VoteCast } from './events.js';

/** The count of one ballot as the log has it. */
export interface BallotTally {
  readonly conferenceId: string;
  readonly ballotId: string;
  /** From the ballot's `SessionOpened`, when the events include it. */
  readonly opened: boolean;
  readonly awardId: string | null;
  readonly candidates: readonly Candidate[];
  readonly closed: boolean;
  /** Every candidate that is shortlisted or got a counted vote, most votes first, then by candidate id. */
  readonly tally: readonly TallyEntry[];
  /** Votes counted: those before the close in log order, one per attendee. */
  readonly counted: number;
  /** Votes after the ballot's `BallotClosed` in log order: reported, not counted. */
  readonly late: readonly VoteCast['data'][];
  /** Second and later votes of one attendee, which the vote streams prevent but a merged log might hold. */
  readonly duplicates: readonly VoteCast['data'][];
  /** The candidates with the most counted votes; more than one is a tie, none means no votes. */
  readonly leaders: readonly string[];
}

/**
 * Folds the events of one ballot in log order: counts the votes before the ballot's close, reports the late ones and
 * names the leaders. Events of other ballots and other types are skipped, so any slice of the log may be passed.
 */
export const tallyVotes = (events: Iterable<DomainEvent>, conferenceId: string, ballotId: string): BallotTally => {
  let opened = false;
  let closed = false;
  let awardId: string | null = null;
  let candidates: readonly Candidate[] = [];
  const counts = new Map<string, number>();
  const voters = new Set<string>();
  const late: VoteCast['data'][] = [];
  const duplicates: VoteCast['data'][] = [];
  for (const event of events) {
    const data = event.data as Record<string, unknown>;
    if (data['conferenceId'] !== conferenceId) continue;
    if (event.type === 'SessionOpened' && data['sessionId'] === ballotId) {
      const ballot = data['ballot'] as { awardId: string; candidates: readonly Candidate[] } | null;
      if (ballot === null) continue;
      opened = true;
      awardId = ballot.awardId;
      candidates = ballot.candidates;
      for (const candidate of candidates) if (!counts.has(candidate.candidateId)) counts.set(candidate.candidateId, 0);
    } else if (event.type === 'BallotClosed' && data['sessionId'] === ballotId) {
      closed = true;
    } else if (event.type === 'VoteCast' && data['ballotId'] === ballotId) {
      const vote = data as VoteCast['data'];
      if (closed) late.push(vote);
      else if (voters.has(vote.attendeeId)) duplicates.push(vote);
      else {
        voters.add(vote.attendeeId);
        counts.set(vote.candidateId, (counts.get(vote.candidateId) ?? 0) + 1);
      }
    }
  }
  const tally = [...counts]
    .map(([candidateId, votes]) => ({ candidateId, votes }) as TallyEntry)
    .sort((a, b) => b.votes - a.votes || (a.candidateId < b.candidateId ? -1 : a.candidateId > b.candidateId ? 1 : 0));
  const top = tally[0]?.votes ?? 0;
  const leaders = top === 0 ? [] : tally.filter((entry) => entry.votes === top).map((entry) => entry.candidateId);
  return { conferenceId, ballotId, opened, awardId, candidates, closed, tally, counted: voters.size, late, duplicates, leaders };
};
