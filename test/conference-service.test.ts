import * as E from 'fp-ts/lib/Either.js';
import { describe, expect, it } from 'vitest';
import { MemoryEventStore } from '@clusterconf/adapters/memory';
import {
  ballotView, conferenceStream, createCommandHandler, createConferenceService, voteDecider, voteStream, voteStreamEvents,
  type ConferenceService,
} from '@clusterconf/domain';

const at = { occurredAt: '2020-11-10T09:00:00Z' };
const candidates = [
  { candidateId: 'uwe-pfeil', name: 'Uwe Pfeil', affiliation: 'E-Mobilität Regensburg, IT-Logistikcluster' },
  { candidateId: 'candidate-b', name: 'Candidate B (placeholder)', affiliation: 'Placeholder cluster B' },
  { candidateId: 'candidate-c', name: 'Candidate C (placeholder)', affiliation: 'Placeholder cluster C' },
];

const right = <A>(result: E.Either<unknown, A>): A => {
  if (E.isLeft(result)) throw new Error(`expected success, got ${JSON.stringify(result.left)}`);
  return result.right;
};

const setUp = async (attendees: number, capacity: number | null = null): Promise<{ store: MemoryEventStore; service: ConferenceService }> => {
  const store = new MemoryEventStore();
  const service = createConferenceService({ store, cacheSize: 4, maxAttempts: 50 });
  right(await service.scheduleConference(
    { conferenceId: 'ecc2020', name: 'European Cluster Conference 2020', days: ['2020-11-10', '2020-11-11'], capacity, organisers: ['DG GROW', 'BMWi'] }, at,
  ));
  for (let i = 0; i < attendees; i++) {
    right(await service.registerAttendee({ conferenceId: 'ecc2020', attendeeId: `a-${i}`, name: `Attendee ${i}`, country: 'DE', stakeholderGroup: 'business' }, at));
  }
  right(await service.openSession({
    conferenceId: 'ecc2020', sessionId: 'ecmy-vote', title: 'European Cluster Manager of the Year', day: '2020-11-11',
    openers: [{ name: 'Thierry Breton', role: 'EU Commissioner' }], ballot: { awardId: 'ecmy', candidates },
  }, at));
  return { store, service };
};

const vote = (service: ConferenceService, attendee: number, candidateId: string) =>
  service.castVote({ conferenceId: 'ecc2020', ballotId: 'ecmy-vote', attendeeId: `a-${attendee}`, candidateId }, at);

describe('conference service on the in-memory store', () => {
  it('accepts 1,000 concurrent votes on one ballot, each on its own stream with no contention, and counts them all', async () => {
    const { service } = await setUp(1000);
    const results = await Promise.all(Array.from({ length: 1000 }, (_, i) => vote(service, i, candidates[i % 7 === 0 ? 1 : i % 5 === 0 ? 2 : 0]!.candidateId)));
    expect(results.every(E.isRight)).toBe(true);
    expect(results.every((r) => E.isRight(r) && r.right.attempts === 1 && r.right.events.length === 1)).toBe(true);
    const tally = right(await service.ballotTally('ecc2020', 'ecmy-vote'));
    expect(tally.counted).toBe(1000);
    expect(tally.tally.reduce((sum, entry) => sum + entry.votes, 0)).toBe(1000);
    expect(tally.leaders).toEqual(['uwe-pfeil']);
  });

  it('settles concurrent duplicates of one vote: one append, the rest idempotent; a different candidate is AlreadyVoted', async () => {
    const { store, service } = await setUp(1);
    const results = await Promise.all([...Array.from({ length: 5 }, () => vote(service, 0, 'uwe-pfeil')), vote(service, 0, 'candidate-b')]);
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
  });

  it('refuses votes of unregistered attendees, on closed ballots and for unknown candidates, appending nothing', async () => {
    const { store, service } = await setUp(2);
    expect(await vote(service, 9, 'uwe-pfeil')).toMatchObject({ left: { code: 'NotRegistered' } });
    expect(await vote(service, 0, 'nobody')).toMatchObject({ left: { code: 'UnknownCandidate' } });
    expect(await service.castVote({ conferenceId: 'ecc2020', ballotId: 'no-such-ballot', attendeeId: 'a-0', candidateId: 'uwe-pfeil' }, at))
      .toMatchObject({ left: { code: 'SessionNotFound', sessionId: 'no-such-ballot' } });
    expect(await service.castVote({ conferenceId: 'ecc2099', ballotId: 'ecmy-vote', attendeeId: 'a-0', candidateId: 'uwe-pfeil' }, at))
      .toMatchObject({ left: { code: 'ConferenceNotScheduled' } });
    right(await service.openSession({ conferenceId: 'ecc2020', sessionId: 'opening', title: 'Opening', day: '2020-11-10', openers: [{ name: 'Peter Altmaier', role: 'Minister' }], ballot: null }, at));
    expect(await service.castVote({ conferenceId: 'ecc2020', ballotId: 'opening', attendeeId: 'a-0', candidateId: 'uwe-pfeil' }, at))
      .toMatchObject({ left: { code: 'NotABallot', sessionId: 'opening' } });
    right(await service.closeBallot({ conferenceId: 'ecc2020', sessionId: 'ecmy-vote' }, at));
    expect(await vote(service, 1, 'uwe-pfeil')).toMatchObject({ left: { code: 'BallotNotOpen', status: 'closed' } });
    let votes = 0;
    for await (const _event of store.readAll({ filter: { eventTypes: ['VoteCast'] } })) votes++;
    expect(votes).toBe(0);
  });

  it('returns a bad id as a typed error without touching the store', async () => {
    const { store, service } = await setUp(0);
    const before = await store.headPosition();
    expect(await service.castVote({ conferenceId: 'ecc2020', ballotId: 'ecmy-vote', attendeeId: 'a\u0000b', candidateId: 'x' }, at))
      .toMatchObject({ left: { code: 'InvalidInput', field: 'attendeeId' } });
    expect(await service.registerAttendee({ conferenceId: 'Bad Id', attendeeId: 'a', name: 'A', country: 'DE', stakeholderGroup: 'business' }, at))
      .toMatchObject({ left: { code: 'InvalidInput', field: 'conferenceId' } });
    expect(await store.headPosition()).toEqual(before);
  });

  it('never registers past the capacity, even with 30 concurrent registrations on one conference stream', async () => {
    const { store, service } = await setUp(0, 5);
    const results = await Promise.all(
      Array.from({ length: 30 }, (_, i) => service.registerAttendee({ conferenceId: 'ecc2020', attendeeId: `r-${i}`, name: `R ${i}`, country: 'AT', stakeholderGroup: 'research' }, at)),
    );
    expect(results.filter(E.isRight)).toHaveLength(5);
    expect(results.filter(E.isLeft).map((r) => E.isLeft(r) && r.left.code)).toEqual(Array.from({ length: 25 }, () => 'CapacityReached'));
    let registered = 0;
    for await (const event of store.readStream(conferenceStream('ecc2020'))) if (event.type === 'AttendeeRegistered') registered++;
    expect(registered).toBe(5);
  });

  it('never registers past the capacity', async () => {
    const { service } = await setUp(3, 3);
    expect(await service.registerAttendee({ conferenceId: 'ecc2020', attendeeId: 'late', name: 'Late', country: 'FR', stakeholderGroup: 'research' }, at))
      .toMatchObject({ left: { code: 'CapacityReached', capacity: 3 } });
  });

  it('grants the voted award from the log’s tally, not counting a vote that lands after the close', async () => {
    const { store, service } = await setUp(4);
    right(await vote(service, 0, 'candidate-b'));
    right(await vote(service, 1, 'uwe-pfeil'));
    right(await vote(service, 2, 'uwe-pfeil'));
    const grant = { awardId: 'ecmy', edition: 2020, title: 'European Cluster Manager of the Year', conferenceId: 'ecc2020', ballotId: 'ecmy-vote' };
    expect(await service.grantVotedAward(grant, at)).toMatchObject({ left: { code: 'BallotStillOpen' } });
    // A vote that read the ballot as open but is appended after the close: the log's order makes it late.
    const conference = right(await service.loadConference('ecc2020'));
    right(await service.closeBallot({ conferenceId: 'ecc2020', sessionId: 'ecmy-vote' }, at));
    const raceHandler = createCommandHandler({ store, registry: voteStreamEvents, decider: voteDecider });
    right(await raceHandler.handle(voteStream('ecc2020', 'ecmy-vote', 'a-3'), {
      type: 'CastVote', conferenceId: 'ecc2020', ballotId: 'ecmy-vote', attendeeId: 'a-3', candidateId: 'candidate-b',
      ballot: ballotView(conference, 'ecc2020', 'ecmy-vote', 'a-3'),
    }, at));
    const tally = right(await service.ballotTally('ecc2020', 'ecmy-vote'));
    expect(tally.late.map((v) => v.attendeeId)).toEqual(['a-3']);
    const granted = right(await service.grantVotedAward(grant, at));
    expect(granted.events[0]!.data).toMatchObject({
      recipient: 'Uwe Pfeil',
      decidedBy: { kind: 'vote', conferenceId: 'ecc2020', ballotId: 'ecmy-vote', tally: [{ candidateId: 'uwe-pfeil', votes: 2 }, { candidateId: 'candidate-b', votes: 1 }, { candidateId: 'candidate-c', votes: 0 }] },
    });
    expect(await service.grantVotedAward(grant, at)).toMatchObject({ left: { code: 'AwardAlreadyGranted', recipient: 'Uwe Pfeil' } });
  });

  it('asks for a tie-break and grants to the named leader', async () => {
    const { service } = await setUp(2);
    right(await vote(service, 0, 'candidate-b'));
    right(await vote(service, 1, 'uwe-pfeil'));
    right(await service.closeBallot({ conferenceId: 'ecc2020', sessionId: 'ecmy-vote' }, at));
    const grant = { awardId: 'ecmy', edition: 2020, title: 'European Cluster Manager of the Year', conferenceId: 'ecc2020', ballotId: 'ecmy-vote' };
    expect(await service.grantVotedAward(grant, at)).toMatchObject({ left: { code: 'TieNeedsDecision' } });
    expect(right(await service.grantVotedAward({ ...grant, tieBreak: 'uwe-pfeil' }, at)).events[0]!.data.recipient).toBe('Uwe Pfeil');
  });

  it('grants jury awards and numbers alliance members 1..n', async () => {
    const { store, service } = await setUp(0);
    right(await service.grantJuryAward({ awardId: 'partnership', edition: 2020, title: 'European Cluster Partnership of the Year', recipient: 'IoT4Industry', affiliation: 'EU project' }, at));
    right(await service.foundAlliance({ allianceId: 'eca', name: 'European Cluster Alliance' }, at));
    const nations = ['ES', 'FR', 'IT', 'DE'];
    const numbers = [];
    for (const nation of nations) {
      const [joined] = right(await service.joinAlliance({ allianceId: 'eca', nation, programme: `${nation} programme` }, at)).events;
      numbers.push(joined?.type === 'NationJoinedAlliance' ? joined.data.memberNumber : undefined);
    }
    expect(numbers).toEqual([1, 2, 3, 4]);
    expect(await service.joinAlliance({ allianceId: 'eca', nation: 'DE', programme: 'go-cluster' }, at)).toMatchObject({ left: { code: 'NationAlreadyMember', memberNumber: 4 } });
    const streams = new Set<string>();
    for await (const event of store.readAll()) streams.add(event.streamId);
    expect([...streams].sort()).toEqual(['alliance-eca', 'award-partnership', conferenceStream('ecc2020')]);
  });
});
