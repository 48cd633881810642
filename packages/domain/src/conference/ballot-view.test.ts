import { describe, expect, it } from 'vitest';
import { given } from '../testing/index.js';
import { ballotView } from './ballot-view.js';
import { conferenceDecider } from './conference-decider.js';
import { ev } from './fixtures.test-helper.js';

const scheduled = ev('ConferenceScheduled', { conferenceId: 'ecc2020', name: 'ECC 2020', days: ['2020-11-10'], capacity: null, organisers: [] });
const registered = ev('AttendeeRegistered', { conferenceId: 'ecc2020', attendeeId: 'a-1', name: 'Ada', country: 'DE', stakeholderGroup: 'research' });
const session = (sessionId: string, ballot: unknown) =>
  ev('SessionOpened', { conferenceId: 'ecc2020', sessionId, title: 'Session', day: '2020-11-10', openers: [{ name: 'Host', role: 'Chair' }], ballot });
const ballot = { awardId: 'ecmy', candidates: [{ candidateId: 'x', name: 'X', affiliation: 'AX' }, { candidateId: 'y', name: 'Y', affiliation: 'AY' }] };
const state = given(conferenceDecider, [scheduled, registered, session('opening', null), session('ecmy-vote', ballot)]).state();
const statusOf = (conferenceId: string, ballotId: string) => ballotView(state, conferenceId, ballotId, 'a-1').status;

describe('ballotView', () => {
  it('tells a conference that is not scheduled, a session that does not exist and a session without a ballot apart', () => {
    expect(statusOf('ecc2021', 'ecmy-vote')).toBe('conference-not-scheduled');
    expect(ballotView(conferenceDecider.initialState, 'ecc2020', 'ecmy-vote', 'a-1').status).toBe('conference-not-scheduled');
    expect(statusOf('ecc2020', 'no-such-ballot')).toBe('session-not-found');
    expect(statusOf('ecc2020', 'opening')).toBe('not-a-ballot');
  });

  it('reads an open ballot with its shortlist and whether the attendee is registered', () => {
    expect(ballotView(state, 'ecc2020', 'ecmy-vote', 'a-1')).toEqual({
      conferenceId: 'ecc2020', ballotId: 'ecmy-vote', attendeeId: 'a-1', attendeeRegistered: true, status: 'open', candidateIds: ['x', 'y'],
    });
    expect(ballotView(state, 'ecc2020', 'ecmy-vote', 'a-2').attendeeRegistered).toBe(false);
    const closed = given(conferenceDecider, [scheduled, session('ecmy-vote', ballot), ev('BallotClosed', { conferenceId: 'ecc2020', sessionId: 'ecmy-vote' })]).state();
    expect(ballotView(closed, 'ecc2020', 'ecmy-vote', 'a-1').status).toBe('closed');
  });
});
