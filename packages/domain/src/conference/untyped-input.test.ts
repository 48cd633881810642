import * as E from 'fp-ts/lib/Either.js';
import { describe, expect, it } from 'vitest';
import { allianceDecider } from './alliance-decider.js';
import { awardDecider } from './award-decider.js';
import { conferenceDecider } from './conference-decider.js';
import { voteDecider } from './vote-decider.js';

// Callers from plain JavaScript or JSON can send anything; every decider must answer with a Left, never throw.
const junk: unknown[] = [
  null, undefined, 42, 'RegisterAttendee', [], {}, { type: 'Nope' }, { type: 'CastVote' }, { type: 'GrantVotedAward', awardId: 'a', edition: 1, title: 't' },
  { type: 'OpenSession', conferenceId: 'c', sessionId: 's', title: 't', day: '2020-01-01', openers: 'x', ballot: 7 }, { type: 'JoinAlliance', nation: 10n },
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
