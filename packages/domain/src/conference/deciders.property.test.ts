import * as E from 'fp-ts/lib/Either.js';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { fold } from '../kernel/decider.js';
import { allianceDecider, type AllianceCommand } from './alliance-decider.js';
import { ballotView } from './ballot-view.js';
import { conferenceDecider, type ConferenceCommand } from './conference-decider.js';
import type { AllianceStreamEvent, ConferenceEvent, ConferenceStreamEvent, VoteCast } from './events.js';
import { voteStream } from './streams.js';
import { tallyVotes } from './tally.js';
import { voteDecider, type VoteState } from './vote-decider.js';

const attendees = ['a-0', 'a-1', 'a-2', 'a-3', 'a-4', 'a-5', 'a-6', 'a-7'];
// Mostly well-formed input, sometimes garbage: a bad command must be a Left, never a throw.
const attendeeId = fc.oneof({ weight: 9, arbitrary: fc.constantFrom(...attendees) }, { weight: 1, arbitrary: fc.anything({ withBigInt: true, withNullPrototype: true, withBoxedValues: true }) });
const ballotId = fc.constantFrom('b1', 'b2', 'b3');
const candidateId = fc.oneof({ weight: 9, arbitrary: fc.constantFrom('x', 'y', 'z') }, { weight: 1, arbitrary: fc.string() });

type Step =
  | { readonly kind: 'conference'; readonly command: ConferenceCommand }
  | { readonly kind: 'vote'; readonly ballotId: string; readonly attendeeId: string; readonly candidateId: string };

const conferenceStep = (command: fc.Arbitrary<ConferenceCommand>) => command.map((c): Step => ({ kind: 'conference', command: c }));
const vote = fc.record({ kind: fc.constant('vote' as const), ballotId, attendeeId, candidateId }).map((s) => s as Step);
const step: fc.Arbitrary<Step> = fc.oneof(
  {
    weight: 4,
    arbitrary: conferenceStep(
      fc.record({
        type: fc.constant('RegisterAttendee' as const), conferenceId: fc.constant('c1'), attendeeId, name: fc.constantFrom('Ada', 'Bo', 'Cy', ''),
        country: fc.constantFrom('DE', 'FR', 'ES', 'xx'), stakeholderGroup: fc.constantFrom('research', 'business', 'civil-society', 'press'),
      }) as fc.Arbitrary<ConferenceCommand>,
    ),
  },
  {
    weight: 1,
    arbitrary: conferenceStep(
      fc.record({
        type: fc.constant('OpenSession' as const), conferenceId: fc.constant('c1'), sessionId: ballotId, title: fc.constant('Vote'),
        day: fc.constantFrom('2020-11-10', '2020-11-12'), openers: fc.constant([{ name: 'Host', role: 'Chair' }]),
        ballot: fc.constant({ awardId: 'prize', candidates: [{ candidateId: 'x', name: 'X', affiliation: 'AX' }, { candidateId: 'y', name: 'Y', affiliation: 'AY' }] }),
      }),
    ),
  },
  { weight: 1, arbitrary: conferenceStep(fc.record({ type: fc.constant('CloseBallot' as const), conferenceId: fc.constant('c1'), sessionId: ballotId })) },
  { weight: 10, arbitrary: vote },
);

/** Runs steps the way the application does: one conference stream, one vote stream per attendee and ballot. */
const run = (capacity: number | null, steps: readonly Step[]) => {
  const log: ConferenceEvent[] = [];
  const conferenceEvents: ConferenceStreamEvent[] = [];
  let conference = conferenceDecider.initialState;
  const voteStates = new Map<string, VoteState>();
  const schedule: ConferenceCommand = { type: 'ScheduleConference', conferenceId: 'c1', name: 'C', days: ['2020-11-10', '2020-11-11'], capacity, organisers: [] };
  const candidates = [{ candidateId: 'x', name: 'X', affiliation: 'AX' }, { candidateId: 'y', name: 'Y', affiliation: 'AY' }];
  const openBallot = (sessionId: string): Step => ({
    kind: 'conference',
    command: { type: 'OpenSession', conferenceId: 'c1', sessionId, title: 'Vote', day: '2020-11-11', openers: [{ name: 'Host', role: 'Chair' }], ballot: { awardId: 'prize', candidates } },
  });
  // Ballots b1 and b2 open at the start so that votes have something to hit; b3 opens only if a step opens it.
  for (const item of [{ kind: 'conference', command: schedule } as Step, openBallot('b1'), openBallot('b2'), ...steps]) {
    if (item.kind === 'conference') {
      const decision = conferenceDecider.decide(item.command, conference);
      if (E.isLeft(decision)) continue;
      conference = decision.right.reduce(conferenceDecider.evolve, conference);
      conferenceEvents.push(...decision.right);
      log.push(...decision.right);
    } else {
      const stream = typeof item.attendeeId === 'string' ? voteStream('c1', item.ballotId, item.attendeeId) : '(no stream: bad id)';
      const state = voteStates.get(stream) ?? voteDecider.initialState;
      const ballot = ballotView(conference, 'c1', item.ballotId, item.attendeeId);
      const decision = voteDecider.decide({ type: 'CastVote', conferenceId: 'c1', ...item, ballot }, state);
      if (E.isLeft(decision)) continue;
      // The real append uses no_stream: a stream that already holds a vote refuses another event.
      if (decision.right.length > 0 && state.vote !== null) throw new Error(`a second event was decided for ${stream}`);
      voteStates.set(stream, decision.right.reduce(voteDecider.evolve, state));
      log.push(...decision.right);
    }
  }
  return { log, conferenceEvents, conference };
};

const canonical = (value: unknown): string =>
  JSON.stringify(value, (_key, v: unknown) => (v instanceof Map ? { map: [...v.entries()] } : v));

describe('deciders over random command sequences (properties)', () => {
  const capacity = fc.option(fc.integer({ min: 1, max: 6 }), { nil: null });
  const steps = fc.array(step, { minLength: 5, maxLength: 100, size: 'large' });

  it('never yields two votes of one attendee on one ballot, a capacity overrun, or an uncounted sequential vote', () => {
    fc.assert(
      fc.property(capacity, steps, (cap, commands) => {
        const { log } = run(cap, commands);
        const registered = log.filter((e) => e.type === 'AttendeeRegistered').map((e) => e.data.attendeeId);
        expect(new Set(registered).size).toBe(registered.length);
        if (cap !== null) expect(registered.length).toBeLessThanOrEqual(cap);
        const votes = log.filter((e): e is VoteCast => e.type === 'VoteCast');
        const keys = votes.map((v) => `${v.data.ballotId}/${v.data.attendeeId}`);
        expect(new Set(keys).size).toBe(keys.length);
        for (const ballot of ['b1', 'b2', 'b3']) {
          const tally = tallyVotes(log, 'c1', ballot);
          expect(tally.duplicates).toEqual([]);
          // Sequential commands cannot race the close, so no vote is late and every vote is counted.
          expect(tally.late).toEqual([]);
          expect(tally.counted).toBe(votes.filter((v) => v.data.ballotId === ballot).length);
        }
      }),
    );
  });

  it('the generated sequences do reach votes, capacity limits and closes (the properties are not vacuous)', () => {
    const samples = fc.sample(fc.tuple(capacity, steps), { numRuns: 200, seed: 42 }).map(([cap, commands]) => ({ cap, ...run(cap, commands) }));
    expect(samples.filter((s) => s.log.filter((e) => e.type === 'VoteCast').length >= 3).length).toBeGreaterThan(20);
    expect(samples.some((s) => s.cap !== null && s.log.filter((e) => e.type === 'AttendeeRegistered').length === s.cap)).toBe(true);
    expect(samples.some((s) => s.log.some((e) => e.type === 'BallotClosed'))).toBe(true);
  });

  it('evolve is deterministic: the same events fold to the same state, in one go or in two parts', () => {
    fc.assert(
      fc.property(capacity, steps, fc.nat(), (cap, commands, cut) => {
        const { conferenceEvents, conference } = run(cap, commands);
        const split = cut % (conferenceEvents.length + 1);
        const once = fold(conferenceDecider, conferenceEvents);
        expect(canonical(fold(conferenceDecider, conferenceEvents))).toBe(canonical(once));
        expect(canonical(fold(conferenceDecider, conferenceEvents.slice(split), fold(conferenceDecider, conferenceEvents.slice(0, split))))).toBe(canonical(once));
        expect(canonical(once)).toBe(canonical(conference));
      }),
    );
  });

  it('numbers alliance members 1..n in joining order, each nation once', () => {
    const command: fc.Arbitrary<AllianceCommand> = fc.oneof(
      fc.record({ type: fc.constant('FoundAlliance' as const), allianceId: fc.constant('eca'), name: fc.constantFrom('ECA', '') }),
      fc.record({ type: fc.constant('JoinAlliance' as const), allianceId: fc.constantFrom('eca', 'other'), nation: fc.constantFrom('DE', 'ES', 'FR', 'IT', 'PL', 'de', 'EU'), programme: fc.constantFrom('go-cluster', '', 'programme') }),
      fc.record({ type: fc.constant('JoinAlliance' as const), allianceId: fc.constant('eca'), nation: fc.constantFrom('DE', 'ES', 'FR', 'IT', 'PL', 'AT', 'BE'), programme: fc.constant('programme') }),
    );
    fc.assert(
      fc.property(fc.array(command, { maxLength: 40 }), (commands) => {
        let state = allianceDecider.initialState;
        const log: AllianceStreamEvent[] = [];
        for (const c of commands) {
          const decision = allianceDecider.decide(c, state);
          if (E.isLeft(decision)) continue;
          state = decision.right.reduce(allianceDecider.evolve, state);
          log.push(...decision.right);
        }
        const joins = log.flatMap((e) => (e.type === 'NationJoinedAlliance' ? [e.data] : []));
        expect(joins.map((j) => j.memberNumber)).toEqual(joins.map((_, i) => i + 1));
        expect(new Set(joins.map((j) => j.nation)).size).toBe(joins.length);
        expect(log.filter((e) => e.type === 'AllianceFounded').length).toBe(log.length === 0 ? 0 : 1);
        expect(canonical(fold(allianceDecider, log))).toBe(canonical(state));
      }),
    );
  });
});
