import * as E from 'fp-ts/lib/Either.js';
import { expect } from 'vitest';
import { createConferenceService, type DcbEventStore, type EventStore, type RecordedEvent } from '@clusterconf/domain';

/** What one vote command of the storm came to. */
type Outcome = 'stored' | 'repeat' | 'already-voted' | 'closed';

/** Options of `runVoteStorm`. */
export interface VoteStormOptions {
  readonly voters: number;
  /** Second votes of voters chosen at random: half for the same candidate, half for another. */
  readonly repeats: number;
  /** Commands in flight at once. */
  readonly concurrency: number;
}

const at = { occurredAt: '2020-11-11T15:00:00Z' };
const candidates = ['uwe-pfeil', 'candidate-b', 'candidate-c'];

/** A small deterministic generator, so a failing storm can be run again as it was. */
const lcg = (seed: number) => () => ((seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0) / 2 ** 32);

/**
 * A storm of votes on one ballot through the conference service in the DCB model, with the ballot's close issued in
 * the middle of it, while votes are in flight: `voters` first votes and `repeats` second ones, shuffled, `concurrency`
 * at a time. Then the log must hold exactly the votes the service stored, all before the close, none after it, one per
 * attendee; every other command is a repeat (the same candidate again, appending nothing), `AlreadyVoted`, or
 * `BallotNotOpen`; and the tally counts every stored vote and reports none late.
 */
export const runVoteStorm = async (store: EventStore & DcbEventStore, options: VoteStormOptions): Promise<Record<Outcome, number>> => {
  const service = createConferenceService({ store, consistency: 'dcb', cacheSize: 4, maxAttempts: 200 });
  const ok = <A>(result: E.Either<unknown, A>): A => {
    if (E.isLeft(result)) throw new Error(`set-up refused: ${JSON.stringify(result.left)}`);
    return result.right;
  };
  ok(await service.scheduleConference({ conferenceId: 'storm', name: 'Storm', days: ['2020-11-11'], capacity: null, organisers: ['DG GROW'] }, at));
  for (let i = 0; i < options.voters; i++) {
    ok(await service.registerAttendee({ conferenceId: 'storm', attendeeId: `v-${i}`, name: `Voter ${i}`, country: 'DE', stakeholderGroup: 'business' }, at));
  }
  ok(await service.openSession({
    conferenceId: 'storm', sessionId: 'ballot', title: 'Vote', day: '2020-11-11', openers: [{ name: 'Chair', role: 'Chair' }],
    ballot: { awardId: 'prize', candidates: candidates.map((candidateId) => ({ candidateId, name: candidateId, affiliation: 'x' })) },
  }, at));

  const random = lcg(16);
  const choice = (voter: number) => candidates[voter % candidates.length]!;
  const commands = Array.from({ length: options.voters }, (_, voter) => ({ voter, candidateId: choice(voter) }));
  for (let r = 0; r < options.repeats; r++) {
    const voter = Math.floor(random() * options.voters);
    commands.push({ voter, candidateId: r % 2 === 0 ? choice(voter) : choice(voter + 1) });
  }
  for (let i = commands.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [commands[i], commands[j]] = [commands[j]!, commands[i]!];
  }

  const outcomes: Outcome[] = new Array(commands.length);
  const storedBy = new Set<number>();
  let next = 0;
  let closing: ReturnType<typeof service.closeBallot> | undefined;
  const worker = async () => {
    while (next < commands.length) {
      const index = next++;
      // The close goes out when half the commands have started, while the others are still to come or in flight.
      if (index === Math.floor(commands.length / 2)) closing = service.closeBallot({ conferenceId: 'storm', sessionId: 'ballot' }, at);
      const { voter, candidateId } = commands[index]!;
      const result = await service.castVote({ conferenceId: 'storm', ballotId: 'ballot', attendeeId: `v-${voter}`, candidateId }, at);
      if (E.isRight(result)) {
        outcomes[index] = result.right.events.length === 1 ? 'stored' : 'repeat';
        if (result.right.events.length === 1) {
          expect(storedBy.has(voter), `voter ${voter} stored twice`).toBe(false);
          storedBy.add(voter);
        }
      } else if (result.left.code === 'AlreadyVoted') outcomes[index] = 'already-voted';
      else if (result.left.code === 'BallotNotOpen') outcomes[index] = 'closed';
      else throw new Error(`unexpected refusal of a storm vote: ${JSON.stringify(result.left)}`);
    }
  };
  await Promise.all(Array.from({ length: options.concurrency }, worker));
  if (closing === undefined) throw new Error('the storm ended before the close was issued');
  ok(await closing);

  const log: RecordedEvent[] = [];
  for await (const event of store.readAll({ filter: { eventTypes: ['VoteCast', 'BallotClosed'] } })) log.push(event);
  const close = log.findIndex((event) => event.type === 'BallotClosed');
  expect(close).toBeGreaterThanOrEqual(0);
  expect(log.slice(close + 1).map((event) => event.type), 'votes stored after the close').toEqual([]);
  const voters = log.slice(0, close).map((event) => (event.data as { attendeeId: string }).attendeeId);
  expect(new Set(voters).size, 'one vote per attendee').toBe(voters.length);
  expect(new Set(voters)).toEqual(new Set([...storedBy].map((voter) => `v-${voter}`)));
  const tally = await service.ballotTally('storm', 'ballot');
  expect(E.isRight(tally) && tally.right).toMatchObject({ closed: true, counted: storedBy.size, late: [], duplicates: [] });
  const counts = { stored: 0, repeat: 0, 'already-voted': 0, closed: 0 };
  for (const outcome of outcomes) counts[outcome]++;
  // The close really fell in the middle: votes on both sides of it.
  expect(counts.stored).toBeGreaterThan(0);
  expect(counts.closed).toBeGreaterThan(0);
  return counts;
};
