import * as E from 'fp-ts/lib/Either.js';
import { describe, expect, it } from 'vitest';
import { allianceDecider } from './alliance-decider.js';
import { awardDecider } from './award-decider.js';
import { conferenceDecider } from './conference-decider.js';
import { conferenceErrorKind, type ConferenceError } from './errors.js';
import { ev } from './fixtures.test-helper.js';
import { tallyVotes } from './tally.js';
import { voteDecider } from './vote-decider.js';

const view = { conferenceId: 'c', ballotId: 'b', attendeeId: 'a', attendeeRegistered: true, status: 'open' };
const opened = ev('SessionOpened', {
  conferenceId: 'c', sessionId: 'b', title: 'Vote', day: '2020-11-10', openers: [{ name: 'Host', role: 'Chair' }],
  ballot: { awardId: 'ecmy', candidates: [{ candidateId: 'x', name: 'X', affiliation: 'AX' }, { candidateId: 'y', name: 'Y', affiliation: 'AY' }] },
});
const decisive = [opened, ev('VoteCast', { conferenceId: 'c', ballotId: 'b', attendeeId: 'a', candidateId: 'x' }), ev('BallotClosed', { conferenceId: 'c', sessionId: 'b' })];

// Callers from plain JavaScript or JSON can send anything; every decider must answer with a Left, never throw.
const junk: unknown[] = [
  null, undefined, 42, 'RegisterAttendee', [], {}, { type: 'Nope' }, { type: 'CastVote' }, { type: 'GrantVotedAward', awardId: 'a', edition: 1, title: 't' },
  { type: 'OpenSession', conferenceId: 'c', sessionId: 's', title: 't', day: '2020-01-01', openers: 'x', ballot: 7 }, { type: 'JoinAlliance', nation: 10n },
  // Otherwise valid commands whose nested facts are junk: a ballot view without a shortlist, or with a string for one
  // (whose `includes` would match substrings), and tallies without leaders, null, or with a symbol as tie-break.
  { type: 'CastVote', conferenceId: 'c', ballotId: 'b', attendeeId: 'a', candidateId: 'x', ballot: { ...view } },
  { type: 'CastVote', conferenceId: 'c', ballotId: 'b', attendeeId: 'a', candidateId: 'uwe', ballot: { ...view, candidateIds: 'uwe-pfeil' } },
  { type: 'CastVote', conferenceId: 'c', ballotId: 'b', attendeeId: 'a', candidateId: 'x', ballot: null },
  { type: 'GrantVotedAward', awardId: 'ecmy', edition: 1, title: 't', ballot: { ballotId: 'b', opened: true, awardId: 'ecmy', closed: true } },
  { type: 'GrantVotedAward', awardId: 'ecmy', edition: 1, title: 't', ballot: null },
  { type: 'GrantVotedAward', awardId: 'ecmy', edition: 1, title: 't', ballot: tallyVotes(decisive, 'c', 'b'), tieBreak: Symbol('x') },
];
const deciders = { conferenceDecider, voteDecider, awardDecider, allianceDecider } as const;

describe('untyped input', () => {
  for (const [name, decider] of Object.entries(deciders)) {
    it(`${name} refuses every junk command with a typed error`, () => {
      for (const command of junk) {
        const decision = (decider.decide as (command: unknown, state: unknown) => E.Either<{ code: string; message: string }, unknown>)(command, decider.initialState);
        expect(E.isLeft(decision)).toBe(true);
        if (E.isLeft(decision)) expect(decision.left.message.length).toBeGreaterThan(10);
      }
    });
  }
});

describe('unknown tags', () => {
  // A stream holding an event type this code does not know: each evolve throws naming it, rather than returning undefined.
  const scheduled = ev('ConferenceScheduled', { conferenceId: 'c', name: 'C', days: ['2020-11-10'], capacity: null, organisers: [] });
  const founded = ev('AllianceFounded', { allianceId: 'eca', name: 'ECA' });
  const folds: Record<string, () => unknown> = {
    conferenceDecider: () => conferenceDecider.evolve(conferenceDecider.evolve(conferenceDecider.initialState, scheduled), { type: 'SessionRenamed', data: {} } as never),
    'conferenceDecider (unscheduled)': () => conferenceDecider.evolve(conferenceDecider.initialState, { type: 'SessionRenamed', data: {} } as never),
    voteDecider: () => voteDecider.evolve(voteDecider.initialState, { type: 'SessionRenamed', data: {} } as never),
    awardDecider: () => awardDecider.evolve(awardDecider.initialState, { type: 'SessionRenamed', data: {} } as never),
    allianceDecider: () => allianceDecider.evolve(allianceDecider.evolve(allianceDecider.initialState, founded), { type: 'SessionRenamed', data: {} } as never),
  };
  for (const [name, fold] of Object.entries(folds)) {
    it(`${name} evolve throws naming an unknown event type`, () => expect(fold).toThrow(/Unknown .*event type "SessionRenamed"/));
  }

  it('conferenceErrorKind throws naming an unknown code, and classifies BallotAlreadyUsed as a conflict', () => {
    expect(() => conferenceErrorKind({ code: 'Nope' } as unknown as ConferenceError)).toThrow(/Unknown conference error code "Nope"/);
    expect(conferenceErrorKind({ code: 'BallotAlreadyUsed', awardId: 'a', conferenceId: 'c', ballotId: 'b', edition: 1, message: '' })).toBe('conflict');
  });
});
