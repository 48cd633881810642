import { describe, it } from 'vitest';
import { givenEvents } from '../testing/index.js';
import { agendaProjection } from './agenda.js';
import { ev } from './fixtures.test-helper.js';

describe('the agenda read model', () => {
  it('lists the sessions opened, in order, with their openers and the state of their ballot', async () => {
    await givenEvents(agendaProjection, [
      ev('ConferenceScheduled', { conferenceId: 'ecc2020', name: 'ECC 2020', days: ['2020-11-23', '2020-11-24'], capacity: 800, organisers: ['EC'] }),
      ev('SessionOpened', {
        conferenceId: 'ecc2020', sessionId: 'opening', title: 'Opening', day: '2020-11-23',
        openers: [{ name: 'Thierry Breton', role: 'Commissioner' }, { name: 'Peter Altmaier', role: 'Minister' }], ballot: null,
      }),
      ev('SessionOpened', {
        conferenceId: 'ecc2020', sessionId: 'award-vote', title: 'Award', day: '2020-11-24', openers: [],
        ballot: { awardId: 'cluster-award', candidates: [{ candidateId: 'x', name: 'X', affiliation: 'Y' }] },
      }),
      ev('BallotClosed', { conferenceId: 'ecc2020', sessionId: 'award-vote' }),
    ]).thenDocument('agendas', 'ecc2020', {
      conferenceId: 'ecc2020',
      name: 'ECC 2020',
      days: ['2020-11-23', '2020-11-24'],
      sessions: [
        {
          sessionId: 'opening', title: 'Opening', day: '2020-11-23', ballotAwardId: null, ballotClosed: false,
          openers: [{ name: 'Thierry Breton', role: 'Commissioner' }, { name: 'Peter Altmaier', role: 'Minister' }],
        },
        { sessionId: 'award-vote', title: 'Award', day: '2020-11-24', openers: [], ballotAwardId: 'cluster-award', ballotClosed: true },
      ],
    });
  });

  it('keeps sessions opened before the schedule appears in the log', async () => {
    await givenEvents(agendaProjection, [
      ev('SessionOpened', { conferenceId: 'c1', sessionId: 's1', title: 'Early', day: '2020-11-23', openers: [], ballot: null }),
      ev('ConferenceScheduled', { conferenceId: 'c1', name: 'Late schedule', days: ['2020-11-23'], capacity: null, organisers: [] }),
    ]).thenDocument('agendas', 'c1', {
      conferenceId: 'c1',
      name: 'Late schedule',
      days: ['2020-11-23'],
      sessions: [{ sessionId: 's1', title: 'Early', day: '2020-11-23', openers: [], ballotAwardId: null, ballotClosed: false }],
    });
  });
});
