import { describe, it } from 'vitest';
import { givenEvents } from '../testing/index.js';
import { awardRollProjection } from './award-roll.js';
import { ev } from './fixtures.test-helper.js';

describe('the award roll read model', () => {
  it('lists every award with its grants by edition, however they arrive', async () => {
    await givenEvents(awardRollProjection, [
      ev('AwardGranted', {
        awardId: 'cluster-award', edition: 2, title: 'Cluster Award 2020', recipient: 'Beta', affiliation: 'B cluster',
        decidedBy: { kind: 'vote', conferenceId: 'ecc2020', ballotId: 'vote-1', tally: [{ candidateId: 'beta', votes: 2 }, { candidateId: 'alpha', votes: 1 }] },
      }),
      ev('AwardGranted', { awardId: 'cluster-award', edition: 1, title: 'Cluster Award 2019', recipient: 'Old', affiliation: 'O cluster', decidedBy: { kind: 'jury' } }),
      ev('AwardGranted', { awardId: 'manager-award', edition: 1, title: 'Manager of the Year', recipient: 'M', affiliation: 'M cluster', decidedBy: { kind: 'jury' } }),
    ]).thenDocuments('awards', {
      'cluster-award': {
        awardId: 'cluster-award',
        title: 'Cluster Award 2020',
        grants: [
          { edition: 1, title: 'Cluster Award 2019', recipient: 'Old', affiliation: 'O cluster', decidedBy: { kind: 'jury' } },
          {
            edition: 2, title: 'Cluster Award 2020', recipient: 'Beta', affiliation: 'B cluster',
            decidedBy: { kind: 'vote', ballotId: 'vote-1', tally: [{ candidateId: 'beta', votes: 2 }, { candidateId: 'alpha', votes: 1 }] },
          },
        ],
      },
      'manager-award': {
        awardId: 'manager-award',
        title: 'Manager of the Year',
        grants: [{ edition: 1, title: 'Manager of the Year', recipient: 'M', affiliation: 'M cluster', decidedBy: { kind: 'jury' } }],
      },
    });
  });
});
