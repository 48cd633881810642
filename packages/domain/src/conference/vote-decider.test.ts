import { describe, it } from 'vitest';
import { given } from '../testing/index.js';
import type { BallotView } from './ballot-view.js';
import { ev, withCode } from './fixtures.test-helper.js';
import { voteDecider, type CastVote } from './vote-decider.js';

const view: BallotView = {
  conferenceId: 'ecc2020', ballotId: 'ecmy-vote', attendeeId: 'a-1', attendeeRegistered: true, status: 'open', candidateIds: ['uwe-pfeil', 'candidate-b'],
};
const cast = (candidateId: string, ballot: Partial<BallotView> = {}): CastVote => ({
  type: 'CastVote', conferenceId: 'ecc2020', ballotId: 'ecmy-vote', attendeeId: 'a-1', candidateId, ballot: { ...view, ...ballot },
});
const voted = (candidateId: string) => ev('VoteCast', { conferenceId: 'ecc2020', ballotId: 'ecmy-vote', attendeeId: 'a-1', candidateId });

describe('CastVote', () => {
  it('records a registered attendee’s vote for a shortlisted candidate on an open ballot', () =>
    given(voteDecider).when(cast('uwe-pfeil')).thenEvents([voted('uwe-pfeil')]));
  it('refuses an attendee who is not registered', () =>
    given(voteDecider).when(cast('uwe-pfeil', { attendeeRegistered: false })).thenError(withCode('NotRegistered', { attendeeId: 'a-1' })));
  it('refuses before the ballot opens', () =>
    given(voteDecider).when(cast('uwe-pfeil', { status: 'not-opened' })).thenError(withCode('BallotNotOpen', { status: 'not-opened' })));
  it('refuses after the ballot closes', () =>
    given(voteDecider).when(cast('uwe-pfeil', { status: 'closed' })).thenError(withCode('BallotNotOpen', { status: 'closed' })));
  it('refuses a candidate not on the shortlist', () =>
    given(voteDecider).when(cast('someone-else')).thenError(withCode('UnknownCandidate', { candidateId: 'someone-else' })));
  it('treats a repeated identical vote as a retry: success, nothing appended', () =>
    given(voteDecider, [voted('uwe-pfeil')]).when(cast('uwe-pfeil')).thenEvents([]));
  it('keeps the repeat idempotent even once the ballot has closed', () =>
    given(voteDecider, [voted('uwe-pfeil')]).when(cast('uwe-pfeil', { status: 'closed' })).thenEvents([]));
  it('refuses a second vote for another candidate', () =>
    given(voteDecider, [voted('uwe-pfeil')]).when(cast('candidate-b')).thenError(withCode('AlreadyVoted', { votedFor: 'uwe-pfeil' })));
  it('refuses ballot facts loaded for another attendee', () =>
    given(voteDecider).when(cast('uwe-pfeil', { attendeeId: 'a-2' })).thenError(withCode('BallotMismatch', { field: 'attendeeId' })));
  it('refuses a malformed candidate id as input', () =>
    given(voteDecider).when(cast('Uwe Pfeil')).thenError(withCode('InvalidInput', { field: 'candidateId' })));
});

describe('CastVote on a ballot that does not exist', () => {
  it('refuses a vote in a conference that is not scheduled as such, not as an unregistered attendee', () =>
    given(voteDecider).when(cast('uwe-pfeil', { status: 'conference-not-scheduled', attendeeRegistered: false, candidateIds: [] }))
      .thenError(withCode('ConferenceNotScheduled', { conferenceId: 'ecc2020' })));
  it('refuses a vote on a session id that was never opened as SessionNotFound, not as a ballot yet to open', () =>
    given(voteDecider).when(cast('uwe-pfeil', { status: 'session-not-found', candidateIds: [] })).thenError(withCode('SessionNotFound', { sessionId: 'ecmy-vote' })));
  it('refuses a vote in a session without a ballot', () =>
    given(voteDecider).when(cast('uwe-pfeil', { status: 'not-a-ballot', candidateIds: [] })).thenError(withCode('NotABallot', { sessionId: 'ecmy-vote' })));
});

describe('CastVote with ballot facts it cannot trust', () => {
  const withView = (ballot: unknown): CastVote => ({ ...cast('uwe-pfeil'), ballot: ballot as BallotView });
  const { candidateIds: _candidateIds, ...withoutCandidates } = view;

  it('refuses a view without candidateIds with a Left, not a throw', () =>
    given(voteDecider).when(withView(withoutCandidates)).thenError(withCode('InvalidInput', { field: 'ballot.candidateIds', expected: 'a list' })));
  it('refuses candidateIds given as one string, which would match substrings', () =>
    given(voteDecider).when({ ...withView({ ...view, candidateIds: 'uwe-pfeil-and-friends' }), candidateId: 'uwe' })
      .thenError(withCode('InvalidInput', { field: 'ballot.candidateIds', value: 'uwe-pfeil-and-friends' })));
  it('refuses an unknown status and a non-boolean registration', () => {
    given(voteDecider).when(withView({ ...view, status: 'opened' })).thenError(withCode('InvalidInput', { field: 'ballot.status' }));
    given(voteDecider).when(withView({ ...view, attendeeRegistered: 'yes' })).thenError(withCode('InvalidInput', { field: 'ballot.attendeeRegistered', expected: 'true or false' }));
  });
});
