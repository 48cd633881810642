import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  allianceStream, awardStream, conferenceEvents, conferenceStream, tallyVotes, toNewEvents, voteStream, type ConferenceEvent, type EventStore,
} from '@clusterconf/domain';
import { conferenceProjections, createProjectionRunner, createReadModelReader, MemoryReadModelStore } from '@clusterconf/projections';
import { SqliteEventStore } from '@clusterconf/adapters/sqlite';

const append = async (store: EventStore, streamId: string, events: readonly ConferenceEvent[], expectedRevision: 'any' | 'no_stream' = 'any') => {
  const newEvents = toNewEvents(streamId, events.map((event) => conferenceEvents.encode(event)), { now: () => new Date('2020-11-23T09:00:00.000Z') });
  return store.appendToStream(streamId, newEvents, { expectedRevision });
};

const event = (type: ConferenceEvent['type'], data: unknown) => ({ type, data }) as ConferenceEvent;

describe('the conference read models fed by the runner from a SQLite event store', () => {
  let events: SqliteEventStore;
  beforeEach(async () => {
    events = await SqliteEventStore.open({ path: ':memory:' });
  });
  afterEach(async () => {
    await events.close();
  });

  it('builds all five read models from one subscription and serves them through the active versions', async () => {
    await append(events, conferenceStream('ecc2020'), [
      event('ConferenceScheduled', { conferenceId: 'ecc2020', name: 'ECC 2020', days: ['2020-11-23', '2020-11-24'], capacity: null, organisers: ['EC'] }),
      event('AttendeeRegistered', { conferenceId: 'ecc2020', attendeeId: 'ana', name: 'Ana', country: 'DE', stakeholderGroup: 'research' }),
      event('AttendeeRegistered', { conferenceId: 'ecc2020', attendeeId: 'bo', name: 'Bo', country: 'SE', stakeholderGroup: 'business' }),
      event('AttendeeRegistered', { conferenceId: 'ecc2020', attendeeId: 'cy', name: 'Cy', country: 'DE', stakeholderGroup: 'business' }),
      event('SessionOpened', {
        conferenceId: 'ecc2020', sessionId: 'award-vote', title: 'Cluster award', day: '2020-11-24', openers: [{ name: 'Chair', role: 'host' }],
        ballot: { awardId: 'cluster-award', candidates: [{ candidateId: 'alpha', name: 'Alpha', affiliation: 'A' }, { candidateId: 'beta', name: 'Beta', affiliation: 'B' }] },
      }),
    ]);
    const readModels = new MemoryReadModelStore();
    const runner = createProjectionRunner({ eventStore: events, readModelStore: readModels, registry: conferenceEvents, projections: conferenceProjections, batchSize: 3 });
    await runner.start();
    // Live from here on: votes, the close, a late vote, the award and the alliance.
    await append(events, voteStream('ecc2020', 'award-vote', 'ana'), [event('VoteCast', { conferenceId: 'ecc2020', ballotId: 'award-vote', attendeeId: 'ana', candidateId: 'beta' })], 'no_stream');
    await append(events, voteStream('ecc2020', 'award-vote', 'bo'), [event('VoteCast', { conferenceId: 'ecc2020', ballotId: 'award-vote', attendeeId: 'bo', candidateId: 'beta' })], 'no_stream');
    await append(events, conferenceStream('ecc2020'), [event('BallotClosed', { conferenceId: 'ecc2020', sessionId: 'award-vote' })]);
    await append(events, voteStream('ecc2020', 'award-vote', 'cy'), [event('VoteCast', { conferenceId: 'ecc2020', ballotId: 'award-vote', attendeeId: 'cy', candidateId: 'alpha' })], 'no_stream');
    await append(events, awardStream('cluster-award'), [
      event('AwardGranted', {
        awardId: 'cluster-award', edition: 1, title: 'Cluster Award 2020', recipient: 'Beta', affiliation: 'B',
        decidedBy: { kind: 'vote', conferenceId: 'ecc2020', ballotId: 'award-vote', tally: [{ candidateId: 'beta', votes: 2 }, { candidateId: 'alpha', votes: 0 }] },
      }),
    ]);
    const last = await append(events, allianceStream('eca'), [
      event('AllianceFounded', { allianceId: 'eca', name: 'European Cluster Alliance' }),
      event('NationJoinedAlliance', { allianceId: 'eca', nation: 'DE', programme: 'go-cluster', memberNumber: 1 }),
    ]);
    await runner.waitFor(last.position);
    await runner.stop();

    const reader = createReadModelReader(readModels);
    expect(await reader.get('attendance', 'conferences', 'ecc2020')).toEqual({
      conferenceId: 'ecc2020', total: 3, byCountry: { DE: 2, SE: 1 }, byStakeholderGroup: { research: 1, business: 2 },
    });
    expect(await reader.get('agenda', 'agendas', 'ecc2020')).toMatchObject({
      name: 'ECC 2020',
      sessions: [{ sessionId: 'award-vote', openers: [{ name: 'Chair', role: 'host' }], ballotAwardId: 'cluster-award', ballotClosed: true }],
    });
    const tally = await reader.get('ballot_tallies', 'ballots', 'ecc2020.award-vote');
    expect(tally).toMatchObject({ closed: true, counted: 2, late: 1, duplicates: 0, leaders: ['beta'], tally: [{ candidateId: 'beta', votes: 2 }, { candidateId: 'alpha', votes: 0 }] });
    const log: ConferenceEvent[] = [];
    for await (const recorded of events.readAll()) log.push(event(recorded.type as ConferenceEvent['type'], recorded.data));
    const domain = tallyVotes(log, 'ecc2020', 'award-vote');
    expect(tally).toMatchObject({ tally: domain.tally, leaders: domain.leaders, counted: domain.counted, late: domain.late.length });
    expect(await reader.get('award_roll', 'awards', 'cluster-award')).toMatchObject({ title: 'Cluster Award 2020', grants: [{ edition: 1, recipient: 'Beta' }] });
    expect(await reader.get('alliance_roster', 'alliances', 'eca')).toEqual({
      allianceId: 'eca', name: 'European Cluster Alliance', members: [{ memberNumber: 1, nation: 'DE', programme: 'go-cluster' }],
    });
    // Every checkpoint reached the head, including those of projections that handle none of the last events.
    for (const projection of conferenceProjections) expect(await readModels.loadCheckpoint(projection.namespace)).toEqual(last.position);
  });
});
