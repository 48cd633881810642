import { describe, expect, it } from 'vitest';
import { given } from '../testing/index.js';
import { conferenceDecider, type OpenSession, type RegisterAttendee, type ScheduleConference } from './conference-decider.js';
import { ev, withCode } from './fixtures.test-helper.js';

const schedule: ScheduleConference = {
  type: 'ScheduleConference', conferenceId: 'ecc2020', name: 'European Cluster Conference 2020',
  days: ['2020-11-11', '2020-11-10'], capacity: 2, organisers: ['DG GROW', 'BMWi'],
};
const { type: _schedule, ...scheduleData } = schedule;
const scheduled = ev('ConferenceScheduled', { ...scheduleData, days: ['2020-11-10', '2020-11-11'] });
const register = (attendeeId: string, overrides: Partial<RegisterAttendee> = {}): RegisterAttendee => ({
  type: 'RegisterAttendee', conferenceId: 'ecc2020', attendeeId, name: `Attendee ${attendeeId}`, country: 'DE', stakeholderGroup: 'research', ...overrides,
});
const registered = (attendeeId: string) =>
  ev('AttendeeRegistered', { conferenceId: 'ecc2020', attendeeId, name: `Attendee ${attendeeId}`, country: 'DE', stakeholderGroup: 'research' });
const candidates = [
  { candidateId: 'uwe-pfeil', name: 'Uwe Pfeil', affiliation: 'E-Mobilität Regensburg' },
  { candidateId: 'candidate-b', name: 'Candidate B', affiliation: 'Placeholder cluster B' },
];
const openBallot: OpenSession = {
  type: 'OpenSession', conferenceId: 'ecc2020', sessionId: 'ecmy-vote', title: 'Cluster Manager of the Year', day: '2020-11-11',
  openers: [{ name: 'Thierry Breton', role: 'EU Commissioner' }], ballot: { awardId: 'ecmy', candidates },
};
const { type: _type, ...openData } = openBallot;
const ballotOpened = ev('SessionOpened', openData);

describe('ScheduleConference', () => {
  it('schedules with sorted days', () => given(conferenceDecider).when(schedule).thenEvents([scheduled]));
  it('schedules once', () => given(conferenceDecider, [scheduled]).when(schedule).thenError(withCode('ConferenceAlreadyScheduled')));
  it('refuses an impossible date, naming the field', () =>
    given(conferenceDecider).when({ ...schedule, days: ['2020-11-31'] }).thenError(withCode('InvalidInput', { field: 'days.0' })));
  it('refuses no days', () => given(conferenceDecider).when({ ...schedule, days: [] }).thenError(withCode('InvalidInput', { field: 'days' })));
  it('refuses a capacity of zero', () => given(conferenceDecider).when({ ...schedule, capacity: 0 }).thenError(withCode('InvalidInput', { field: 'capacity' })));
  it('accepts no capacity', () =>
    given(conferenceDecider).when({ ...schedule, capacity: null }).thenEvents([ev('ConferenceScheduled', { ...scheduled.data, capacity: null })]));
});

describe('RegisterAttendee', () => {
  it('registers a valid attendee', () => given(conferenceDecider, [scheduled]).when(register('a-1')).thenEvents([registered('a-1')]));
  it('registers an attendee once', () =>
    given(conferenceDecider, [scheduled, registered('a-1')]).when(register('a-1')).thenError(withCode('AttendeeAlreadyRegistered', { attendeeId: 'a-1' })));
  it('refuses a blank name', () =>
    given(conferenceDecider, [scheduled]).when(register('a-1', { name: '  ' })).thenError(withCode('BlankField', { field: 'name' })));
  it('refuses an unassigned or lower-case country', () => {
    given(conferenceDecider, [scheduled]).when(register('a-1', { country: 'XX' })).thenError(withCode('InvalidCountry', { value: 'XX' }));
    given(conferenceDecider, [scheduled]).when(register('a-1', { country: 'de' })).thenError(withCode('InvalidCountry', { value: 'de' }));
  });
  it('refuses a stakeholder group the facts do not name', () =>
    given(conferenceDecider, [scheduled]).when(register('a-1', { stakeholderGroup: 'press' })).thenError(withCode('UnknownStakeholderGroup', { value: 'press' })));
  it('refuses a bad attendee id', () =>
    given(conferenceDecider, [scheduled]).when(register('A 1')).thenError(withCode('InvalidInput', { field: 'attendeeId' })));
  it('never exceeds the capacity', () =>
    given(conferenceDecider, [scheduled, registered('a-1'), registered('a-2')]).when(register('a-3')).thenError(withCode('CapacityReached', { capacity: 2 })));
  it('refuses registration for an unscheduled conference', () =>
    given(conferenceDecider).when(register('a-1')).thenError(withCode('ConferenceNotScheduled', { conferenceId: 'ecc2020' })));
  it('refuses a non-string input as a typed error rather than throwing', () =>
    given(conferenceDecider, [scheduled]).when(register('a-1', { name: 42 as unknown as string })).thenError(withCode('InvalidInput', { field: 'name' })));
});

describe('OpenSession', () => {
  it('opens a ballot session', () => given(conferenceDecider, [scheduled]).when(openBallot).thenEvents([ballotOpened]));
  it('opens a session once', () =>
    given(conferenceDecider, [scheduled, ballotOpened]).when(openBallot).thenError(withCode('SessionAlreadyOpened', { sessionId: 'ecmy-vote' })));
  it('opens only on a conference day', () =>
    given(conferenceDecider, [scheduled]).when({ ...openBallot, day: '2020-11-12' }).thenError(withCode('SessionOutsideConferenceDays', { day: '2020-11-12' })));
  it('needs its openers', () =>
    given(conferenceDecider, [scheduled]).when({ ...openBallot, openers: [] }).thenError(withCode('SessionNeedsOpeners')));
  it('refuses an opener without a role', () =>
    given(conferenceDecider, [scheduled]).when({ ...openBallot, openers: [{ name: 'X', role: '' }] }).thenError(withCode('BlankField', { field: 'openers.0.role' })));
  it('needs two candidates on a ballot', () =>
    given(conferenceDecider, [scheduled]).when({ ...openBallot, ballot: { awardId: 'ecmy', candidates: [candidates[0]!] } })
      .thenError(withCode('BallotNeedsTwoCandidates', { candidates: 1 })));
  it('needs the candidates to be distinct', () =>
    given(conferenceDecider, [scheduled]).when({ ...openBallot, ballot: { awardId: 'ecmy', candidates: [candidates[0]!, candidates[0]!] } })
      .thenError(withCode('DuplicateCandidate', { candidateId: 'uwe-pfeil' })));
  it('opens a session without a ballot', () =>
    given(conferenceDecider, [scheduled]).when({ ...openBallot, sessionId: 'opening', ballot: null })
      .thenEvents([ev('SessionOpened', { ...openData, sessionId: 'opening', ballot: null })]));
});

describe('CloseBallot', () => {
  const close = { type: 'CloseBallot', conferenceId: 'ecc2020', sessionId: 'ecmy-vote' } as const;
  const closed = ev('BallotClosed', { conferenceId: 'ecc2020', sessionId: 'ecmy-vote' });
  it('closes an open ballot', () => given(conferenceDecider, [scheduled, ballotOpened]).when(close).thenEvents([closed]));
  it('closes once', () => given(conferenceDecider, [scheduled, ballotOpened, closed]).when(close).thenError(withCode('BallotAlreadyClosed')));
  it('closes only an opened session', () => given(conferenceDecider, [scheduled]).when(close).thenError(withCode('SessionNotFound')));
  it('closes only a ballot session', () =>
    given(conferenceDecider, [scheduled, ev('SessionOpened', { ...openData, ballot: null })]).when(close).thenError(withCode('NotABallot')));
  it('marks the ballot closed in the state', () => {
    const state = given(conferenceDecider, [scheduled, ballotOpened, closed]).state();
    expect(state.status === 'scheduled' && [...state.sessions.values()][0]?.ballot?.closed).toBe(true);
  });
});
