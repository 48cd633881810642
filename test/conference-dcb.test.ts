import * as E from 'fp-ts/lib/Either.js';
import { describe, expect, it } from 'vitest';
import { MemoryEventStore } from '@clusterconf/adapters/memory';
import { EventStoreDBEventStore } from '@clusterconf/adapters/eventstoredb';
import {
  ballotTag, createConferenceService, DcbNotSupportedError, voteBoundaryQuery, voteStream,
  type AppendCondition, type AppendOptions, type ConferenceService, type NewEvent, type VoteConsistency,
} from '@clusterconf/domain';

const at = { occurredAt: '2020-11-10T09:00:00Z' };
const candidates = [
  { candidateId: 'uwe-pfeil', name: 'Uwe Pfeil', affiliation: 'E-Mobilität Regensburg, IT-Logistikcluster' },
  { candidateId: 'candidate-b', name: 'Candidate B (placeholder)', affiliation: 'Placeholder cluster B' },
];

const right = <A>(result: E.Either<unknown, A>): A => {
  if (E.isLeft(result)) throw new Error(`expected success, got ${JSON.stringify(result.left)}`);
  return result.right;
};

const setUp = async (service: ConferenceService, attendees: number): Promise<void> => {
  right(await service.scheduleConference({ conferenceId: 'ecc2020', name: 'ECC 2020', days: ['2020-11-10', '2020-11-11'], capacity: null, organisers: ['DG GROW'] }, at));
  for (let i = 0; i < attendees; i++) {
    right(await service.registerAttendee({ conferenceId: 'ecc2020', attendeeId: `a-${i}`, name: `Attendee ${i}`, country: 'DE', stakeholderGroup: 'business' }, at));
  }
  right(await service.openSession({
    conferenceId: 'ecc2020', sessionId: 'ecmy-vote', title: 'European Cluster Manager of the Year', day: '2020-11-11',
    openers: [{ name: 'Thierry Breton', role: 'EU Commissioner' }], ballot: { awardId: 'ecmy', candidates },
  }, at));
};

/**
 * A memory store where the first vote append runs `before` first: the ballot's close, committed after the vote was
 * decided on the open ballot and before its append, which is the race the two models answer differently.
 */
const racingStore = () => {
  const store = new MemoryEventStore();
  let before: (() => Promise<unknown>) | undefined;
  const once = async () => {
    const run = before;
    before = undefined;
    await run?.();
  };
  const racing = new Proxy(store, {
    get: (target, property) => {
      if (property === 'appendToStream') {
        return async (streamId: string, events: readonly NewEvent[], options?: AppendOptions) => {
          if (streamId.startsWith('vote-')) await once();
          return target.appendToStream(streamId, events, options);
        };
      }
      if (property === 'append') {
        return async (streamId: string, events: readonly NewEvent[], condition?: AppendCondition) => {
          if (streamId.startsWith('vote-')) await once();
          return target.append(streamId, events, condition);
        };
      }
      const value: unknown = Reflect.get(target, property);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
  return { store, racing, raceWith: (close: () => Promise<unknown>) => (before = close) };
};

describe('the conference model on Dynamic Consistency Boundaries', () => {
  it.each<[VoteConsistency, string]>([
    ['streams', 'stores the vote after the close, and the tally reports it as late'],
    ['dcb', 'refuses the vote: its condition fails on the close, and decided again it is BallotNotOpen'],
  ])('a vote racing the close, with consistency %s, %s', async (consistency) => {
    const { store, racing, raceWith } = racingStore();
    const service = createConferenceService({ store: racing, consistency });
    await setUp(service, 2);
    right(await service.castVote({ conferenceId: 'ecc2020', ballotId: 'ecmy-vote', attendeeId: 'a-0', candidateId: 'uwe-pfeil' }, at));
    const closer = createConferenceService({ store });
    raceWith(() => closer.closeBallot({ conferenceId: 'ecc2020', sessionId: 'ecmy-vote' }, at));
    const racer = await service.castVote({ conferenceId: 'ecc2020', ballotId: 'ecmy-vote', attendeeId: 'a-1', candidateId: 'candidate-b' }, at);
    const tally = right(await service.ballotTally('ecc2020', 'ecmy-vote'));
    expect(tally.closed).toBe(true);
    expect(tally.counted).toBe(1);
    if (consistency === 'streams') {
      expect(E.isRight(racer) && racer.right.events).toHaveLength(1);
      expect(tally.late.map((vote) => vote.attendeeId)).toEqual(['a-1']);
    } else {
      expect(racer).toMatchObject({ left: { code: 'BallotNotOpen', status: 'closed' } });
      expect(tally.late).toEqual([]);
      const boundary = [];
      for await (const event of store.read(voteBoundaryQuery('ecc2020', 'ecmy-vote', 'a-1'))) boundary.push(event.type);
      expect(boundary).toEqual(['SessionOpened', 'BallotClosed']);
    }
  });

  it('keeps one vote per attendee under concurrent duplicates: one append, the same candidate again is idempotent, another AlreadyVoted', async () => {
    const store = new MemoryEventStore();
    const service = createConferenceService({ store, consistency: 'dcb', maxAttempts: 50 });
    await setUp(service, 1);
    const vote = (candidateId: string) => service.castVote({ conferenceId: 'ecc2020', ballotId: 'ecmy-vote', attendeeId: 'a-0', candidateId }, at);
    const results = await Promise.all([...Array.from({ length: 5 }, () => vote('uwe-pfeil')), vote('candidate-b')]);
    const appended = results.filter((r) => E.isRight(r) && r.right.events.length === 1);
    expect(appended).toHaveLength(1);
    const winner = E.isRight(appended[0]!) ? appended[0].right.events[0]!.data.candidateId : undefined;
    for (const result of results) {
      if (E.isRight(result)) expect(result.right.state.vote?.candidateId).toBe(winner);
      else expect(result.left).toMatchObject({ code: 'AlreadyVoted', votedFor: winner });
    }
    const stored = [];
    for await (const event of store.readStream(voteStream('ecc2020', 'ecmy-vote', 'a-0'))) stored.push(event);
    expect(stored).toHaveLength(1);
    expect(stored[0]!.tags).toEqual(['attendee:ecc2020.a-0', ballotTag('ecc2020', 'ecmy-vote'), 'conference:ecc2020']);
  });

  it('answers a repeated vote command with its first handling, and writes the same events as the streams model', async () => {
    const logs: unknown[][] = [];
    for (const consistency of ['streams', 'dcb'] as const) {
      const store = new MemoryEventStore();
      const service = createConferenceService({ store, consistency });
      await setUp(service, 1);
      const command = { conferenceId: 'ecc2020', ballotId: 'ecmy-vote', attendeeId: 'a-0', candidateId: 'uwe-pfeil' };
      const first = right(await service.castVote(command, { ...at, commandId: 'vote-1' }));
      const again = right(await service.castVote(command, { ...at, commandId: 'vote-1' }));
      expect(again).toMatchObject({ repeated: true, events: first.events, position: first.position });
      const log = [];
      // The set-up's commands have fresh ids each run; the vote's follow from its command id.
      for await (const event of store.readAll()) log.push({ streamId: event.streamId, type: event.type, tags: event.tags, ...(event.type === 'VoteCast' ? { id: event.metadata.eventId } : {}) });
      logs.push(log);
    }
    expect(logs[1]).toEqual(logs[0]);
  });

  it('refuses, when the service is created, a DCB model on a store without the capability', () => {
    const esdb = new EventStoreDBEventStore('esdb://localhost:2113?tls=false');
    expect(() => createConferenceService({ store: esdb, consistency: 'dcb' })).toThrow(DcbNotSupportedError);
    expect(() => createConferenceService({ store: esdb })).not.toThrow();
    void esdb.close();
  });
});
