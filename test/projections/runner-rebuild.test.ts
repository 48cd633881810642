import { afterEach, describe, expect, it } from 'vitest';
import { conferenceEvents, conferenceStream, toNewEvents, type ConferenceEvent, type EventStore } from '@clusterconf/domain';
import { conferenceProjections, createProjectionRunner, createReadModelReader, MemoryReadModelStore, type ReadModelStore } from '@clusterconf/projections';
import { MemoryEventStore } from '@clusterconf/adapters/memory';
import { SqliteReadModelStore } from '@clusterconf/adapters/sqlite';
import { PostgresReadModelStore } from '@clusterconf/adapters/postgres';
import { dropSchema, postgresAvailable, postgresUrl, uniqueSchema } from '../support/postgres.js';

const attendees = 120;

const seed = async (store: EventStore) => {
  const events: ConferenceEvent[] = [
    { type: 'ConferenceScheduled', data: { conferenceId: 'ecc2020', name: 'ECC 2020', days: ['2020-11-10', '2020-11-11'], capacity: null, organisers: ['EC'] } } as ConferenceEvent,
    ...Array.from({ length: attendees }, (_, i) => ({
      type: 'AttendeeRegistered',
      data: { conferenceId: 'ecc2020', attendeeId: `a-${i}`, name: `Attendee ${i}`, country: i % 2 ? 'DE' : 'FR', stakeholderGroup: 'research' },
    }) as ConferenceEvent),
  ];
  let last;
  // Small appends, so the runner sees many batches and caches documents across them.
  for (let i = 0; i < events.length; i += 10) {
    last = await store.appendToStream(
      conferenceStream('ecc2020'),
      toNewEvents(conferenceStream('ecc2020'), events.slice(i, i + 10).map((event) => conferenceEvents.encode(event)), { now: () => new Date('2020-11-10T09:00:00.000Z') }),
    );
  }
  return last!.position;
};

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0)) await cleanup();
});

const stores: [string, () => Promise<ReadModelStore>][] = [
  ['memory', async () => new MemoryReadModelStore()],
  ['SQLite', async () => SqliteReadModelStore.open({ path: ':memory:' })],
];

const rebuildsOneOfSeveral = async (readModels: ReadModelStore, { whileCatchingUp }: { whileCatchingUp: boolean }) => {
  const events = new MemoryEventStore();
  const head = await seed(events);
  const runner = createProjectionRunner({ eventStore: events, readModelStore: readModels, registry: conferenceEvents, projections: conferenceProjections, batchSize: 7 });
  cleanups.push(() => runner.stop());
  await runner.start();
  const reader = createReadModelReader(readModels);
  if (!whileCatchingUp) {
    await runner.waitFor(head);
    expect(await reader.get('attendance', 'conferences', 'ecc2020')).toMatchObject({ total: attendees });
  }

  await runner.rebuild('attendance');
  await runner.waitFor(head);
  // A rebuild starts from an empty model: nothing cached from before it may be counted again.
  expect(await reader.get('attendance', 'conferences', 'ecc2020')).toEqual({
    conferenceId: 'ecc2020', total: attendees, byCountry: { DE: attendees / 2, FR: attendees / 2 }, byStakeholderGroup: { research: attendees },
  });
  expect(await reader.get('agenda', 'agendas', 'ecc2020')).toMatchObject({ name: 'ECC 2020' });
};

describe.each(stores)('rebuilding one projection of a runner serving several (%s read models)', (_name, open) => {
  it.each([false, true])('replays it from zero into an empty model, counting every event once (mid catch-up: %s)', async (whileCatchingUp) => {
    const readModels = await open();
    cleanups.push(() => readModels.close());
    await rebuildsOneOfSeveral(readModels, { whileCatchingUp });
  });
});

describe.skipIf(!postgresAvailable)('rebuilding one projection of a runner serving several (PostgreSQL read models)', () => {
  it.each([false, true])('replays it from zero into an empty model, counting every event once (mid catch-up: %s)', async (whileCatchingUp) => {
    const schema = uniqueSchema('rebuild');
    const readModels = await PostgresReadModelStore.open({ connectionString: postgresUrl, schema });
    cleanups.push(async () => {
      await readModels.close();
      await dropSchema(schema);
    });
    await rebuildsOneOfSeveral(readModels, { whileCatchingUp });
  });
});
