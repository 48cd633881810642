import { describe, it } from 'vitest';
import { given } from '../testing/index.js';
import { awardDecider, type GrantJuryAward, type GrantVotedAward } from './award-decider.js';
import { ev, withCode } from './fixtures.test-helper.js';
import { tallyVotes } from './tally.js';

const jury: GrantJuryAward = {
  type: 'GrantJuryAward', awardId: 'mobilisation', edition: 2020, title: 'Special prize for EU cluster mobilisation',
  recipient: 'Antonio Novo Guerrero', affiliation: 'IDiA',
};
const juryGranted = ev('AwardGranted', { awardId: jury.awardId, edition: jury.edition, title: jury.title, recipient: jury.recipient, affiliation: jury.affiliation, decidedBy: { kind: 'jury' } });

const opened = ev('SessionOpened', {
  conferenceId: 'ecc2020', sessionId: 'ecmy-vote', title: 'Pitches', day: '2020-11-11', openers: [{ name: 'Host', role: 'Moderator' }],
  ballot: {
    awardId: 'ecmy',
    candidates: [
      { candidateId: 'uwe-pfeil', name: 'Uwe Pfeil', affiliation: 'E-Mobilität Regensburg' },
      { candidateId: 'candidate-b', name: 'Candidate B', affiliation: 'Cluster B' },
      { candidateId: 'candidate-c', name: 'Candidate C', affiliation: 'Cluster C' },
    ],
  },
});
const vote = (attendeeId: string, candidateId: string) => ev('VoteCast', { conferenceId: 'ecc2020', ballotId: 'ecmy-vote', attendeeId, candidateId });
const closed = ev('BallotClosed', { conferenceId: 'ecc2020', sessionId: 'ecmy-vote' });
const voted = (log: Parameters<typeof tallyVotes>[0], overrides: Partial<GrantVotedAward> = {}): GrantVotedAward => ({
  type: 'GrantVotedAward', awardId: 'ecmy', edition: 2020, title: 'European Cluster Manager of the Year', ballot: tallyVotes(log, 'ecc2020', 'ecmy-vote'), ...overrides,
});
const decisive = [opened, vote('a-1', 'uwe-pfeil'), vote('a-2', 'uwe-pfeil'), vote('a-3', 'candidate-b'), closed];

describe('GrantJuryAward', () => {
  it('grants a jury award naming recipient and affiliation', () => given(awardDecider).when(jury).then([juryGranted]));
  it('grants once per edition', () => given(awardDecider, [juryGranted]).when(jury).thenError(withCode('AwardAlreadyGranted', { edition: 2020 })));
  it('grants another edition', () =>
    given(awardDecider, [juryGranted]).when({ ...jury, edition: 2021 }).then([ev('AwardGranted', { ...juryGranted.data, edition: 2021 })]));
  it('needs a recipient and an affiliation', () => {
    given(awardDecider).when({ ...jury, recipient: '' }).thenError(withCode('BlankField', { field: 'recipient' }));
    given(awardDecider).when({ ...jury, affiliation: ' ' }).thenError(withCode('BlankField', { field: 'affiliation' }));
  });
});

describe('GrantVotedAward', () => {
  it('goes to the candidate with the most votes, recording the tally', () =>
    given(awardDecider).when(voted(decisive)).then([
      ev('AwardGranted', {
        awardId: 'ecmy', edition: 2020, title: 'European Cluster Manager of the Year', recipient: 'Uwe Pfeil', affiliation: 'E-Mobilität Regensburg',
        decidedBy: { kind: 'vote', ballotId: 'ecmy-vote', tally: [{ candidateId: 'uwe-pfeil', votes: 2 }, { candidateId: 'candidate-b', votes: 1 }, { candidateId: 'candidate-c', votes: 0 }] },
      }),
    ]));
  it('does not count a vote after the close', () =>
    given(awardDecider).when(voted([opened, vote('a-1', 'uwe-pfeil'), vote('a-2', 'candidate-b'), closed, vote('a-3', 'candidate-b')]))
      .thenError(withCode('TieNeedsDecision', { tied: [{ candidateId: 'candidate-b', votes: 1 }, { candidateId: 'uwe-pfeil', votes: 1 }] })));
  it('asks for a tie-break decision on a tie, and accepts one naming a leader', () => {
    const tied = [opened, vote('a-1', 'uwe-pfeil'), vote('a-2', 'candidate-b'), closed];
    given(awardDecider).when(voted(tied)).thenError(withCode('TieNeedsDecision'));
    given(awardDecider).when(voted(tied, { tieBreak: 'candidate-c' })).thenError(withCode('InvalidTieBreak', { leaders: ['candidate-b', 'uwe-pfeil'] }));
    given(awardDecider).when(voted(tied, { tieBreak: 'uwe-pfeil' })).then([
      ev('AwardGranted', {
        awardId: 'ecmy', edition: 2020, title: 'European Cluster Manager of the Year', recipient: 'Uwe Pfeil', affiliation: 'E-Mobilität Regensburg',
        decidedBy: { kind: 'vote', ballotId: 'ecmy-vote', tally: [{ candidateId: 'candidate-b', votes: 1 }, { candidateId: 'uwe-pfeil', votes: 1 }, { candidateId: 'candidate-c', votes: 0 }] },
      }),
    ]);
  });
  it('needs the ballot closed', () =>
    given(awardDecider).when(voted(decisive.slice(0, -1))).thenError(withCode('BallotStillOpen', { ballotId: 'ecmy-vote' })));
  it('needs at least one counted vote', () => given(awardDecider).when(voted([opened, closed])).thenError(withCode('EmptyTally')));
  it('needs the ballot to exist', () => given(awardDecider).when(voted([])).thenError(withCode('SessionNotFound')));
  it('needs the ballot to decide this award', () =>
    given(awardDecider).when(voted(decisive, { awardId: 'partnership' })).thenError(withCode('BallotMismatch', { field: 'awardId' })));
  it('grants once per edition', () => {
    const granted = given(awardDecider).when(voted(decisive)).decision;
    const history = granted._tag === 'Right' ? granted.right : [];
    given(awardDecider, history).when(voted(decisive)).thenError(withCode('AwardAlreadyGranted', { recipient: 'Uwe Pfeil' }));
  });
});
