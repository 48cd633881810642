import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { conferenceEvents, newEventId, tallyVotes, type ConferenceEvent, type EventStore } from '@clusterconf/domain';
import { MemoryEventStore } from '@clusterconf/adapters/memory';
import { conferenceProjections } from './conference/index.js';
import { MemoryReadModelStore } from './memory/index.js';
import { createProjectionRunner } from './projection-runner.js';
import type { ReadModelStore } from './read-model-store.js';

const conferenceId = fc.constantFrom('c1', 'c2');
const attendeeId = fc.constantFrom('ana', 'bo', 'cy', 'dan');
const sessionId = fc.constantFrom('s1', 's2', 's3');
const candidateId = fc.constantFrom('x', 'y', 'z');

/** A conference event from generated data; the property only ever builds valid payloads. */
const ce = (type: ConferenceEvent['type'], data: unknown): ConferenceEvent => ({ type, data }) as ConferenceEvent;

/** A conference event with the stream it is appended to. */
const eventArbitrary: fc.Arbitrary<{ streamId: string; event: ConferenceEvent }> = fc.oneof(
  conferenceId.map((c) => ({
    streamId: `conference-${c}`,
    event: ce('ConferenceScheduled', { conferenceId: c, name: `Conf ${c}`, days: ['2020-11-23'], capacity: null, organisers: [] }),
  })),
  fc.tuple(conferenceId, attendeeId, fc.constantFrom('DE', 'FR', 'SE'), fc.constantFrom('research', 'business')).map(([c, a, country, group]) => ({
    streamId: `conference-${c}`,
    event: ce('AttendeeRegistered', { conferenceId: c, attendeeId: a, name: a, country, stakeholderGroup: group }),
  })),
  fc.tuple(conferenceId, sessionId, fc.boolean()).map(([c, s, withBallot]) => ({
    streamId: `conference-${c}`,
    event: ce('SessionOpened', {
      conferenceId: c, sessionId: s, title: `Session ${s}`, day: '2020-11-23', openers: [{ name: 'Chair', role: 'chair' }],
      ballot: withBallot ? { awardId: `award-${s}`, candidates: [{ candidateId: 'x', name: 'X', affiliation: 'X' }, { candidateId: 'y', name: 'Y', affiliation: 'Y' }] } : null,
    }),
  })),
  fc.tuple(conferenceId, sessionId).map(([c, s]) => ({
    streamId: `conference-${c}`,
    event: ce('BallotClosed', { conferenceId: c, sessionId: s }),
  })),
  fc.tuple(conferenceId, sessionId, attendeeId, candidateId).map(([c, s, a, candidate]) => ({
    streamId: `vote-${c}.${s}.${a}`,
    event: ce('VoteCast', { conferenceId: c, ballotId: s, attendeeId: a, candidateId: candidate }),
  })),
  fc.tuple(fc.constantFrom('aw1', 'aw2'), fc.integer({ min: 1, max: 3 })).map(([awardId, edition]) => ({
    streamId: `award-${awardId}`,
    event: ce('AwardGranted', { awardId, edition, title: `T${edition}`, recipient: 'R', affiliation: 'A', decidedBy: { kind: 'jury' } }),
  })),
  fc.constant({ streamId: 'alliance-eca', event: ce('AllianceFounded', { allianceId: 'eca', name: 'ECA' }) }),
  fc.tuple(fc.integer({ min: 1, max: 4 }), fc.constantFrom('DE', 'FR', 'IT')).map(([memberNumber, nation]) => ({
    streamId: 'alliance-eca',
    event: ce('NationJoinedAlliance', { allianceId: 'eca', nation, programme: 'P', memberNumber }),
  })),
);

const collections: Record<string, string> = {
  attendance_v1: 'conferences',
  agenda_v1: 'agendas',
  ballot_tallies_v1: 'ballots',
  award_roll_v1: 'awards',
  alliance_roster_v1: 'alliances',
};

const snapshot = async (store: ReadModelStore) =>
  Object.fromEntries(
    await Promise.all(Object.entries(collections).map(async ([namespace, collection]) => [namespace, await store.listDocuments(namespace, collection)] as const)),
  );

const appendAll = async (store: EventStore, history: readonly { streamId: string; event: ConferenceEvent }[]) => {
  for (const { streamId, event } of history) {
    const encoded = conferenceEvents.encode(event);
    const metadata = { eventId: newEventId(), occurredAt: '2020-11-23T09:00:00.000Z', correlationId: 'p', causationId: 'p', schemaVersion: 1 };
    await store.appendToStream(streamId, [{ type: encoded.type, data: encoded.data, metadata }]);
  }
};

const runToHead = async (events: EventStore, readModels: ReadModelStore, batchSize: number, rebuild = false) => {
  const runner = createProjectionRunner({ eventStore: events, readModelStore: readModels, registry: conferenceEvents, projections: conferenceProjections, batchSize });
  await runner.start();
  const head = await events.headPosition();
  if (head) await runner.waitFor(head);
  if (rebuild) {
    for (const projection of conferenceProjections) await runner.rebuild(projection.name);
    if (head) await runner.waitFor(head);
  }
  await runner.stop();
};

describe('the projection runner (property)', () => {
  it('gives the same read models whether run at once, stopped and resumed at any split point, or rebuilt', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(eventArbitrary, { maxLength: 40 }).chain((history) =>
          fc.record({ history: fc.constant(history), split: fc.integer({ min: 0, max: history.length }), batchSize: fc.integer({ min: 1, max: 7 }) }),
        ),
        async ({ history, split, batchSize }) => {
          const once = new MemoryEventStore();
          await appendAll(once, history);
          const onceModels = new MemoryReadModelStore();
          await runToHead(once, onceModels, batchSize);

          const resumed = new MemoryEventStore();
          const resumedModels = new MemoryReadModelStore();
          await appendAll(resumed, history.slice(0, split));
          await runToHead(resumed, resumedModels, batchSize);
          await appendAll(resumed, history.slice(split));
          await runToHead(resumed, resumedModels, batchSize);

          const expected = await snapshot(onceModels);
          expect(await snapshot(resumedModels)).toEqual(expected);
          await runToHead(resumed, resumedModels, batchSize, true);
          expect(await snapshot(resumedModels)).toEqual(expected);

          // The ballot tallies fold exactly like the domain's tallyVotes over the same log.
          for (const { id, document } of expected['ballot_tallies_v1']!) {
            const tally = tallyVotes(history.map((h) => h.event), document['conferenceId'] as string, document['ballotId'] as string);
            expect(document).toMatchObject({ tally: tally.tally, leaders: tally.leaders, counted: tally.counted, late: tally.late.length, closed: tally.closed });
            expect(id).toBe(`${tally.conferenceId}.${tally.ballotId}`);
          }
        },
      ),
      { numRuns: 60 },
    );
  });
});
