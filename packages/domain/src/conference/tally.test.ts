import { describe, expect, it } from 'vitest';
import { ev } from './fixtures.test-helper.js';
import { BallotTally, leadersOf, tallyVotes } from './tally.js';

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
  it('builds entries only from events its codecs accept: a malformed vote is skipped like an unrelated one, never cast into an entry', () => {
    const junk = [
      { type: 'VoteCast', data: { conferenceId: 'ecc2020', ballotId: 'b1', attendeeId: 'a8', candidateId: 'Not A Slug' } },
      { type: 'VoteCast', data: null },
      { type: 'SessionOpened', data: { conferenceId: 'ecc2020', sessionId: 'b1', ballot: { awardId: 'other', candidates: 'x' } } },
      { type: 'BallotClosed', data: { conferenceId: 'ecc2020', sessionId: 'b1', extra: 1 } },
    ];
    const tally = tallyVotes([opened('b1'), vote('a1', 'x'), ...junk.slice(0, 3)], 'ecc2020', 'b1');
    expect(tally).toMatchObject({ awardId: 'ecmy', counted: 1, leaders: ['x'], closed: false });
    expect(tally.tally).toEqual([{ candidateId: 'x', votes: 1 }, { candidateId: 'y', votes: 0 }]);
    // Extra fields are kept by the codecs (t.type), so a close with one still counts.
    expect(tallyVotes([opened('b1'), junk[3]!], 'ecc2020', 'b1').closed).toBe(true);
    expect(BallotTally.is(tally)).toBe(true);
  });
  it('reports a tie as several leaders and no votes as none', () => {
    expect(tallyVotes([opened('b1'), vote('a1', 'x'), vote('a2', 'y')], 'ecc2020', 'b1').leaders).toEqual(['x', 'y']);
    expect(tallyVotes([opened('b1')], 'ecc2020', 'b1').leaders).toEqual([]);
  });
  it('derives leaders from any tally, sorted or not', () => {
    const entry = (candidateId: string, votes: number) => ({ candidateId, votes }) as BallotTally['tally'][number];
    expect(leadersOf([entry('y', 1), entry('x', 3), entry('z', 3)])).toEqual(['x', 'z']);
    expect(leadersOf([entry('x', 0)])).toEqual([]);
  });
});
