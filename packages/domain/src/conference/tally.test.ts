import { describe, expect, it } from 'vitest';
import { ev } from './fixtures.test-helper.js';
import { tallyVotes } from './tally.js';

const opened = (sessionId: string) =>
  ev('SessionOpened', {
    conferenceId: 'ecc2020', sessionId, title: 'Pitches', day: '2020-11-11', openers: [{ name: 'Host', role: 'Moderator' }],
    ballot: { awardId: 'ecmy', candidates: [{ candidateId: 'x', name: 'X', affiliation: 'AX' }, { candidateId: 'y', name: 'Y', affiliation: 'AY' }] },
  });
const vote = (attendeeId: string, candidateId: string, ballotId = 'b1') => ev('VoteCast', { conferenceId: 'ecc2020', ballotId, attendeeId, candidateId });
const closed = ev('BallotClosed', { conferenceId: 'ecc2020', sessionId: 'b1' });

describe('tallyVotes', () => {
  it('counts votes before the close, lists late ones and names the leader', () => {
    const tally = tallyVotes([opened('b1'), vote('a1', 'x'), vote('a2', 'x'), vote('a3', 'y'), closed, vote('a4', 'y'), vote('a5', 'y')], 'ecc2020', 'b1');
    expect(tally).toMatchObject({ opened: true, closed: true, awardId: 'ecmy', counted: 3, leaders: ['x'] });
    expect(tally.tally).toEqual([{ candidateId: 'x', votes: 2 }, { candidateId: 'y', votes: 1 }]);
    expect(tally.late.map((v) => v.attendeeId)).toEqual(['a4', 'a5']);
  });
  it('ignores other ballots and other conferences, and counts one vote per attendee', () => {
    const other = ev('VoteCast', { conferenceId: 'ecc2021', ballotId: 'b1', attendeeId: 'a9', candidateId: 'y' });
    const tally = tallyVotes([opened('b1'), opened('b2'), vote('a1', 'x'), vote('a1', 'y'), vote('a2', 'y', 'b2'), other], 'ecc2020', 'b1');
    expect(tally.tally).toEqual([{ candidateId: 'x', votes: 1 }, { candidateId: 'y', votes: 0 }]);
    expect(tally.duplicates.map((v) => v.candidateId)).toEqual(['y']);
    expect(tally).toMatchObject({ counted: 1, closed: false, leaders: ['x'] });
  });
  it('reports a tie as several leaders and no votes as none', () => {
    expect(tallyVotes([opened('b1'), vote('a1', 'x'), vote('a2', 'y')], 'ecc2020', 'b1').leaders).toEqual(['x', 'y']);
    expect(tallyVotes([opened('b1')], 'ecc2020', 'b1').leaders).toEqual([]);
  });
});
