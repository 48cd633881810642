import { describe, expect, it } from 'vitest';
import type { BallotTallyDocument } from '@clusterconf/projections';
import { liveSnapshot } from './live-snapshot.js';

const tally = (ballotId: string, opened: boolean, votes: Record<string, number>): BallotTallyDocument => ({
  conferenceId: 'ecc2020', ballotId, opened, awardId: 'cluster-award', closed: false, counted: Object.values(votes).reduce((a, b) => a + b, 0),
  late: 0, duplicates: 0, leaders: [],
  candidates: [{ candidateId: 'alpha', name: 'Alpha Cluster', affiliation: 'A' }, { candidateId: 'beta', name: 'Beta Cluster', affiliation: 'B' }],
  tally: Object.entries(votes).map(([candidateId, count]) => ({ candidateId, votes: count })),
});

describe('the live snapshot', () => {
  it('draws every shortlisted candidate, voted for or not, in shortlist order, then candidates only votes named', () => {
    const snapshot = liveSnapshot('ecc2020', '42', undefined, [tally('award-vote', true, { beta: 2, stray: 1 }), tally('not-yet', false, {})]);
    expect(snapshot.ballots).toEqual([expect.objectContaining({
      ballotId: 'award-vote', counted: 3,
      candidates: [{ key: 'alpha', label: 'Alpha Cluster', count: 0 }, { key: 'beta', label: 'Beta Cluster', count: 2 }, { key: 'stray', label: 'stray', count: 1 }],
    })]);
    expect(snapshot.attendance).toEqual({ total: 0, countries: [] });
  });

  it('orders countries by attendance, then by code', () => {
    const attendance = { conferenceId: 'ecc2020', total: 5, byCountry: { FR: 1, DE: 2, AT: 2 }, byStakeholderGroup: {} };
    expect(liveSnapshot('ecc2020', null, attendance, []).attendance.countries.map((bar) => bar.key)).toEqual(['AT', 'DE', 'FR']);
  });
});
