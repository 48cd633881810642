import { describe, expect, it } from 'vitest';
import { given } from '../testing/index.js';
import { awardDecider, type GrantJuryAward, type GrantVotedAward } from './award-decider.js';
import { ev, withCode } from './fixtures.test-helper.js';
import { conferenceEvents, type AwardGranted } from './events.js';
import { tallyVotes, type BallotTally } from './tally.js';

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
  it('grants a jury award naming recipient and affiliation', () => given(awardDecider).when(jury).thenEvents([juryGranted]));
  it('grants once per edition', () => given(awardDecider, [juryGranted]).when(jury).thenError(withCode('AwardAlreadyGranted', { edition: 2020 })));
  it('grants another edition', () =>
    given(awardDecider, [juryGranted]).when({ ...jury, edition: 2021 }).thenEvents([ev('AwardGranted', { ...juryGranted.data, edition: 2021 })]));
  it('needs a recipient and an affiliation', () => {
    given(awardDecider).when({ ...jury, recipient: '' }).thenError(withCode('BlankField', { field: 'recipient' }));
    given(awardDecider).when({ ...jury, affiliation: ' ' }).thenError(withCode('BlankField', { field: 'affiliation' }));
  });
});

describe('GrantVotedAward', () => {
  it('goes to the candidate with the most votes, recording the tally', () =>
    given(awardDecider).when(voted(decisive)).thenEvents([
      ev('AwardGranted', {
        awardId: 'ecmy', edition: 2020, title: 'European Cluster Manager of the Year', recipient: 'Uwe Pfeil', affiliation: 'E-Mobilität Regensburg',
        decidedBy: { kind: 'vote', conferenceId: 'ecc2020', ballotId: 'ecmy-vote', tally: [{ candidateId: 'uwe-pfeil', votes: 2 }, { candidateId: 'candidate-b', votes: 1 }, { candidateId: 'candidate-c', votes: 0 }] },
      }),
    ]));
  it('does not count a vote after the close', () =>
    given(awardDecider).when(voted([opened, vote('a-1', 'uwe-pfeil'), vote('a-2', 'candidate-b'), closed, vote('a-3', 'candidate-b')]))
      .thenError(withCode('TieNeedsDecision', { tied: [{ candidateId: 'candidate-b', votes: 1 }, { candidateId: 'uwe-pfeil', votes: 1 }] })));
  it('asks for a tie-break decision on a tie, and accepts one naming a leader', () => {
    const tied = [opened, vote('a-1', 'uwe-pfeil'), vote('a-2', 'candidate-b'), closed];
    given(awardDecider).when(voted(tied)).thenError(withCode('TieNeedsDecision'));
    given(awardDecider).when(voted(tied, { tieBreak: 'candidate-c' })).thenError(withCode('InvalidTieBreak', { leaders: ['candidate-b', 'uwe-pfeil'] }));
    given(awardDecider).when(voted(tied, { tieBreak: 'uwe-pfeil' })).thenEvents([
      ev('AwardGranted', {
        awardId: 'ecmy', edition: 2020, title: 'European Cluster Manager of the Year', recipient: 'Uwe Pfeil', affiliation: 'E-Mobilität Regensburg',
        decidedBy: { kind: 'vote', conferenceId: 'ecc2020', ballotId: 'ecmy-vote', tally: [{ candidateId: 'candidate-b', votes: 1 }, { candidateId: 'uwe-pfeil', votes: 1 }, { candidateId: 'candidate-c', votes: 0 }] },
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

describe('GrantVotedAward with a tally it cannot trust', () => {
  // The tally comes with the command: from the application's tallyVotes, or forged by an untyped caller.
  const forged = (overrides: Record<string, unknown>): GrantVotedAward =>
    voted(decisive, { ballot: { ...tallyVotes(decisive, 'ecc2020', 'ecmy-vote'), ...overrides } as unknown as BallotTally });
  const candidate = (candidateId: string, name: unknown, affiliation: unknown) => ({ candidateId, name, affiliation });

  it('refuses candidates with a blank name or a non-text affiliation, naming the path', () => {
    given(awardDecider).when(forged({ candidates: [candidate('uwe-pfeil', '   ', 'R')] }))
      .thenError(withCode('BlankField', { field: 'ballot.candidates.0.name' }));
    given(awardDecider).when(forged({ candidates: [candidate('uwe-pfeil', 'Uwe Pfeil', 42)] }))
      .thenError(withCode('InvalidInput', { field: 'ballot.candidates.0.affiliation', value: 42, expected: 'a non-blank string' }));
  });

  it('refuses tally entries with a non-slug candidate id, or negative or fractional votes', () => {
    const entries = (first: unknown, votes: unknown) => forged({ tally: [{ candidateId: first, votes }, { candidateId: 'candidate-b', votes: 1 }] });
    given(awardDecider).when(entries('Not A Slug', 2)).thenError(withCode('InvalidInput', { field: 'ballot.tally.0.candidateId', value: 'Not A Slug' }));
    given(awardDecider).when(entries('uwe-pfeil', -3)).thenError(withCode('InvalidInput', { field: 'ballot.tally.0.votes', expected: 'a whole number of at least 0' }));
    given(awardDecider).when(entries('uwe-pfeil', 1.5)).thenError(withCode('InvalidInput', { field: 'ballot.tally.0.votes', value: 1.5 }));
  });

  it('refuses a tally listing a candidate twice', () =>
    given(awardDecider).when(forged({ tally: [{ candidateId: 'uwe-pfeil', votes: 2 }, { candidateId: 'uwe-pfeil', votes: 1 }] }))
      .thenError(withCode('InvalidInput', { field: 'ballot.tally.1.candidateId' })));

  it('refuses leaders that disagree with the tally entries, rather than granting to them', () => {
    given(awardDecider).when(forged({ leaders: ['candidate-b'] }))
      .thenError(withCode('InvalidInput', { field: 'ballot.leaders', value: ['candidate-b'] }));
    given(awardDecider).when(forged({ leaders: [] })).thenError(withCode('InvalidInput', { field: 'ballot.leaders' }));
    given(awardDecider).when(forged({ leaders: ['uwe-pfeil', 'candidate-b'] })).thenError(withCode('InvalidInput', { field: 'ballot.leaders' }));
    // Leaders are a set: their order does not matter.
    const tied = [opened, vote('a-1', 'uwe-pfeil'), vote('a-2', 'candidate-b'), closed];
    const ballot = tallyVotes(tied, 'ecc2020', 'ecmy-vote');
    given(awardDecider).when(voted(tied, { ballot: { ...ballot, leaders: [...ballot.leaders].reverse() } })).thenError(withCode('TieNeedsDecision'));
  });

  it('refuses a tally missing a field, or not an object, with a Left', () => {
    const { leaders: _leaders, ...withoutLeaders } = tallyVotes(decisive, 'ecc2020', 'ecmy-vote');
    given(awardDecider).when(voted(decisive, { ballot: withoutLeaders as BallotTally })).thenError(withCode('InvalidInput', { field: 'ballot.leaders' }));
    given(awardDecider).when(voted(decisive, { ballot: 'uwe-pfeil' as unknown as BallotTally })).thenError(withCode('InvalidInput', { field: 'ballot' }));
  });

  it('records only the fields of a tally entry, not extras a caller added', () => {
    const spec = given(awardDecider).when(forged({ tally: [{ candidateId: 'uwe-pfeil', votes: 2, note: 'x'.repeat(1000) }, { candidateId: 'candidate-b', votes: 1 }] }));
    expect(spec.decision._tag === 'Right' && spec.decision.right[0]!.data.decidedBy).toEqual({
      kind: 'vote', conferenceId: 'ecc2020', ballotId: 'ecmy-vote', tally: [{ candidateId: 'uwe-pfeil', votes: 2 }, { candidateId: 'candidate-b', votes: 1 }],
    });
  });

  it('refuses a tie-break that is not text', () =>
    given(awardDecider).when(voted(decisive, { tieBreak: 7 as unknown as string })).thenError(withCode('InvalidInput', { field: 'tieBreak' })));
});

describe('one ballot, one edition', () => {
  const granted = () => {
    const decision = given(awardDecider).when(voted(decisive)).decision;
    if (decision._tag === 'Left') throw new Error(decision.left.message);
    return decision.right;
  };

  it('refuses a ballot that already decided another edition, naming conference, ballot and edition', () => {
    const spec = given(awardDecider, granted()).when(voted(decisive, { edition: 2021 }));
    spec.thenError(withCode('BallotAlreadyUsed', { awardId: 'ecmy', conferenceId: 'ecc2020', ballotId: 'ecmy-vote', edition: 2020 }));
    expect(spec.decision._tag === 'Left' && spec.decision.left.message).toMatch(/"ecmy-vote" of conference "ecc2020" already decided edition 2020/);
  });

  it('rebuilds the used ballots from the history: vote-decided grants record their ballot, jury grants none', () => {
    const jury2019 = ev('AwardGranted', { ...juryGranted.data, awardId: 'ecmy', edition: 2019 });
    expect([...given(awardDecider, [jury2019, ...granted()]).state().ballots]).toEqual([['ecc2020/ecmy-vote', 2020]]);
    given(awardDecider, [jury2019]).when(voted(decisive, { edition: 2021 })).thenEvents([ev('AwardGranted', { ...granted()[0]!.data, edition: 2021 })]);
  });

  it('takes a ballot of the same id in another conference: a ballot is a session of one conference', () => {
    const nextYear = decisive.map((event) => ({ ...event, data: { ...event.data, conferenceId: 'ecc2021' } })) as typeof decisive;
    const ballot = tallyVotes(nextYear, 'ecc2021', 'ecmy-vote');
    const spec = given(awardDecider, granted()).when(voted(nextYear, { edition: 2021, ballot }));
    expect(spec.decision._tag === 'Right' && spec.decision.right[0]!.data.decidedBy).toMatchObject({ kind: 'vote', conferenceId: 'ecc2021', ballotId: 'ecmy-vote' });
  });

  it('reads a grant stored at schemaVersion 1 with its ballot conference unknown, and lets it block nothing', () => {
    const v1 = { ...granted()[0]!.data, decidedBy: { kind: 'vote', ballotId: 'ecmy-vote', tally: [{ candidateId: 'uwe-pfeil', votes: 2 }] } };
    const decoded = conferenceEvents.decodeData('AwardGranted', 1, v1, { streamId: 'award-ecmy', streamRevision: 0n });
    if (decoded._tag === 'Left') throw decoded.left;
    expect(decoded.right.data).toMatchObject({ decidedBy: { kind: 'vote', conferenceId: null, ballotId: 'ecmy-vote' } });
    expect([...given(awardDecider, [decoded.right as AwardGranted]).state().ballots]).toEqual([]);
    expect(conferenceEvents.decodeData('AwardGranted', 1, { ...v1, decidedBy: { kind: 'jury' } }, { streamId: 'award-ecmy', streamRevision: 1n }))
      .toMatchObject({ right: { data: { decidedBy: { kind: 'jury' } } } });
  });
});
