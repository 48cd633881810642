import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { tallyVotes } from '@clusterconf/domain';
import { givenEvents, projectEvents } from '../testing/index.js';
import { ballotTalliesProjection } from './ballot-tallies.js';
import { ev, vote } from './fixtures.test-helper.js';

const opened = ev('SessionOpened', {
  conferenceId: 'ecc2020', sessionId: 'vote-1', title: 'Award vote', day: '2020-11-24', openers: [],
  ballot: {
    awardId: 'cluster-award',
    candidates: [
      { candidateId: 'alpha', name: 'Alpha', affiliation: 'A cluster' },
      { candidateId: 'beta', name: 'Beta', affiliation: 'B cluster' },
      { candidateId: 'gamma', name: 'Gamma', affiliation: 'C cluster' },
    ],
  },
});

describe('the ballot tallies read model', () => {
  it('counts votes before the close, reports late votes and duplicates separately, and names the leader', async () => {
    const events = [
      opened,
      vote('vote-1', 'ana', 'beta'),
      vote('vote-1', 'bo', 'alpha'),
      vote('vote-1', 'cy', 'beta'),
      vote('vote-1', 'cy', 'alpha', 1n),
      ev('BallotClosed', { conferenceId: 'ecc2020', sessionId: 'vote-1' }),
      vote('vote-1', 'dan', 'alpha'),
      vote('vote-1', 'eve', 'alpha'),
    ];
    // The same fold as the domain's tallyVotes.
    const domain = tallyVotes(events, 'ecc2020', 'vote-1');
    const tally = [{ candidateId: 'beta', votes: 2 }, { candidateId: 'alpha', votes: 1 }, { candidateId: 'gamma', votes: 0 }];
    expect({ tally: domain.tally, counted: domain.counted, leaders: domain.leaders, late: domain.late.length, duplicates: domain.duplicates.length })
      .toEqual({ tally, counted: 3, leaders: ['beta'], late: 2, duplicates: 1 });
    await givenEvents(ballotTalliesProjection, events).thenDocument('ballots', 'ecc2020.vote-1', {
      conferenceId: 'ecc2020',
      ballotId: 'vote-1',
      opened: true,
      awardId: 'cluster-award',
      candidates: opened.data.ballot!.candidates,
      closed: true,
      tally,
      counted: 3,
      late: 2,
      duplicates: 1,
      leaders: ['beta'],
    });
  });

  it('reports a tie as several leaders and no leader before the first vote', async () => {
    const ballot = { conferenceId: 'ecc2020', ballotId: 'vote-1', opened: true, awardId: 'cluster-award', candidates: opened.data.ballot!.candidates, closed: false };
    const beforeVotes = givenEvents(ballotTalliesProjection, [opened]);
    await beforeVotes.thenDocument('ballots', 'ecc2020.vote-1', {
      ...ballot,
      tally: [{ candidateId: 'alpha', votes: 0 }, { candidateId: 'beta', votes: 0 }, { candidateId: 'gamma', votes: 0 }],
      counted: 0, late: 0, duplicates: 0, leaders: [],
    });
    await beforeVotes.andEvents([vote('vote-1', 'ana', 'gamma'), vote('vote-1', 'bo', 'alpha')]).thenDocument('ballots', 'ecc2020.vote-1', {
      ...ballot,
      tally: [{ candidateId: 'alpha', votes: 1 }, { candidateId: 'gamma', votes: 1 }, { candidateId: 'beta', votes: 0 }],
      counted: 2, late: 0, duplicates: 0, leaders: ['alpha', 'gamma'],
    });
  });

  it('ignores sessions without a ballot', async () => {
    await givenEvents(ballotTalliesProjection, [
      ev('SessionOpened', { conferenceId: 'ecc2020', sessionId: 'talk', title: 'Talk', day: '2020-11-24', openers: [], ballot: null }),
    ]).thenDocuments('ballots', {});
  });

  it('keeps the tally ordered and the leaders exact vote by vote, as the domain recount does, for any votes', async () => {
    const candidates = ['alpha', 'beta', 'gamma', 'delta', 'omega'];
    await fc.assert(
      fc.asyncProperty(fc.array(fc.constantFrom(...candidates), { maxLength: 40 }), fc.boolean(), async (choices, withBallot) => {
        const votes = choices.map((candidate, i) => vote('vote-1', `a${i}`, candidate));
        const events = withBallot ? [opened, ...votes] : votes;
        const store = await projectEvents(ballotTalliesProjection, events);
        const document = await store.readDocument('ballot_tallies_v1', 'ballots', 'ecc2020.vote-1');
        const domain = tallyVotes(events, 'ecc2020', 'vote-1');
        if (events.length === 0) expect(document).toBeUndefined();
        else expect(document).toMatchObject({ tally: domain.tally, counted: domain.counted, leaders: domain.leaders });
      }),
      { numRuns: 100 },
    );
  });
});
