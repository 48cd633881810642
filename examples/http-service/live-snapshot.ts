import * as t from 'io-ts';
import type { AttendanceDocument, BallotTallyDocument } from '@clusterconf/projections';

/** One bar of a chart: a label and its count. */
const Bar = t.strict({ key: t.string, label: t.string, count: t.number }, 'Bar');

/** A ballot as the live page draws it: its candidates with their counted votes, shortlist order kept for ties. */
export const LiveBallot = t.strict({
  ballotId: t.string,
  awardId: t.union([t.string, t.null]),
  closed: t.boolean,
  counted: t.number,
  late: t.number,
  leaders: t.array(t.string),
  candidates: t.array(Bar),
}, 'LiveBallot');
export type LiveBallot = t.TypeOf<typeof LiveBallot>;

/**
 * What the live page shows of a conference, sent as the data of each `snapshot` event: its attendance by country and
 * every ballot's tally, as the read models had them once they reached `position` (`null`: an empty log).
 */
export const LiveSnapshot = t.strict({
  conferenceId: t.string,
  position: t.union([t.string, t.null]),
  attendance: t.strict({ total: t.number, countries: t.array(Bar) }, 'LiveAttendance'),
  ballots: t.array(LiveBallot),
}, 'LiveSnapshot');
export type LiveSnapshot = t.TypeOf<typeof LiveSnapshot>;

const byCountDescending = (a: t.TypeOf<typeof Bar>, b: t.TypeOf<typeof Bar>): number =>
  b.count - a.count || (a.key < b.key ? -1 : a.key > b.key ? 1 : 0);

/** A ballot's bars: every shortlisted candidate (with its name), then any other candidate a vote named. Pure. */
const liveBallot = (tally: BallotTallyDocument): LiveBallot => {
  const votes = new Map(tally.tally.map((entry) => [entry.candidateId, entry.votes]));
  const shortlisted = tally.candidates.map((candidate) => ({ key: candidate.candidateId, label: candidate.name, count: votes.get(candidate.candidateId) ?? 0 }));
  const others = tally.tally
    .filter((entry) => !tally.candidates.some((candidate) => candidate.candidateId === entry.candidateId))
    .map((entry) => ({ key: entry.candidateId, label: entry.candidateId, count: entry.votes }));
  return {
    ballotId: tally.ballotId, awardId: tally.awardId, closed: tally.closed, counted: tally.counted, late: tally.late,
    leaders: [...tally.leaders], candidates: [...shortlisted, ...others],
  };
};

/** The snapshot of a conference from its read-model documents. Pure. */
export const liveSnapshot = (
  conferenceId: string,
  position: string | null,
  attendance: AttendanceDocument | undefined,
  tallies: readonly BallotTallyDocument[],
): LiveSnapshot => ({
  conferenceId,
  position,
  attendance: {
    total: attendance?.total ?? 0,
    countries: Object.entries(attendance?.byCountry ?? {}).map(([country, count]) => ({ key: country, label: country, count })).sort(byCountDescending),
  },
  ballots: tallies.filter((tally) => tally.opened).map(liveBallot),
});
