import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as E from 'fp-ts/lib/Either.js';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { EventStore, KeyRecord, RecordedEvent, SubscriptionMessage } from '@clusterconf/domain';
import {
  attendeeSubject, conferenceEvents, conferenceStream, createConferenceService, CorruptEventError, EventDecodeError, forgetSubject,
  ForgottenSubjectError, forgottenValue, isSealedValue, newEventId, SealedDataError,
} from '@clusterconf/domain';
import { MemoryEventStore } from '@clusterconf/adapters/memory';
import { MemoryKeyStore, sealedStoreOf, withPersonalData } from '@clusterconf/adapters/personal-data';
import { conferenceProjections, createProjectionRunner, MemoryReadModelStore, type ReadModelStore } from '@clusterconf/projections';
import { exportEvents, importEvents } from '@clusterconf/cli';
import { backends, type PersonalDataBackend } from './backends.js';

const at = { occurredAt: '2020-11-24T09:00:00Z' };
const ana = attendeeSubject('ecc2020', 'ana');
const people = [['ana', 'Ana Álvarez', 'DE', 'research'], ['bo', 'Bo Berg', 'FR', 'business'], ['cy', 'Cy Curie', 'DE', 'business']] as const;

const all = async <T>(items: AsyncIterable<T>): Promise<T[]> => {
  const found: T[] = [];
  for await (const item of items) found.push(item);
  return found;
};

/** The names of the registrations, by attendee id. */
const namesOf = (events: readonly RecordedEvent[]) =>
  Object.fromEntries(events.filter((e) => e.type === 'AttendeeRegistered').map((e) => [(e.data as { attendeeId: string }).attendeeId, (e.data as { name: unknown }).name]));

/** The messages of a subscription from the start until it is caught up. */
const subscribed = async (store: EventStore): Promise<SubscriptionMessage[]> => {
  const subscription = store.subscribe({ pageSize: 2 });
  const messages: SubscriptionMessage[] = [];
  try {
    for await (const message of subscription) {
      if (message.kind === 'caughtUp') break;
      messages.push(message);
    }
  } finally {
    await subscription.close();
  }
  return messages;
};
const eventsOf = (messages: readonly SubscriptionMessage[]) => messages.flatMap((m) => (m.kind === 'event' ? [m.event] : []));

/** Runs every built-in read model over `store` into `readModels` up to the head and stops. */
const project = async (store: EventStore, readModels: ReadModelStore = new MemoryReadModelStore()): Promise<ReadModelStore> => {
  const runner = createProjectionRunner({ eventStore: store, readModelStore: readModels, registry: conferenceEvents, projections: conferenceProjections, batchSize: 2 });
  await runner.start();
  await runner.waitFor(await store.headPosition(), { timeoutMs: 20_000 });
  await runner.stop();
  return readModels;
};
const documents = async (readModels: ReadModelStore) => ({
  attendance: await readModels.readDocument('attendance_v1', 'conferences', 'ecc2020'),
  directory: await readModels.listDocuments('attendee_directory_v1', 'attendees'),
});

describe.each(backends)('personal data on the %s event store', (_name, open) => {
  let backend: PersonalDataBackend;
  beforeEach(async () => {
    backend = await open();
    const service = createConferenceService({ store: backend.store });
    const scheduled = await service.scheduleConference({ conferenceId: 'ecc2020', name: 'ECC 2020', days: ['2020-11-24'], capacity: null, organisers: ['EC'] }, at);
    expect(E.isRight(scheduled)).toBe(true);
    for (const [attendeeId, name, country, stakeholderGroup] of people) {
      expect(E.isRight(await service.registerAttendee({ conferenceId: 'ecc2020', attendeeId, name, country, stakeholderGroup }, at))).toBe(true);
    }
  });
  afterEach(() => backend.cleanup());

  it('stores the names sealed, and reads them back on every path', async () => {
    const stored = await all(backend.raw.readStream(conferenceStream('ecc2020')));
    expect(JSON.stringify(stored.map((e) => e.data))).not.toMatch(/Ana|Bo Berg|Cy Curie/);
    expect(Object.values(namesOf(stored)).every(isSealedValue)).toBe(true);
    // Read past the personal-data layer, the registry refuses the sealed value and says what reads it.
    const decoded = conferenceEvents.decode(stored[1]!);
    expect(E.isLeft(decoded) && decoded.left).toBeInstanceOf(EventDecodeError);
    expect(E.isLeft(decoded) && decoded.left.message).toMatch(/name: sealed personal data of subject "attendee-ecc2020.ana"/);

    const names = { ana: 'Ana Álvarez', bo: 'Bo Berg', cy: 'Cy Curie' };
    expect(namesOf(await all(backend.store.readStream(conferenceStream('ecc2020'))))).toEqual(names);
    expect(namesOf(await all(backend.store.readAll({ pageSize: 2 })))).toEqual(names);
    expect(namesOf(eventsOf(await subscribed(backend.store)))).toEqual(names);
  });

  it('after forget, every read path yields Forgotten in place of that attendee\'s name only, and a repeat changes nothing', async () => {
    const forgotten = await forgetSubject({ keyStore: backend.keys, eventStore: backend.store }, ana);
    expect(forgotten).toMatchObject({ subject: ana, keyDeleted: true, alreadyForgotten: false });
    const names = { ana: forgottenValue(ana), bo: 'Bo Berg', cy: 'Cy Curie' };
    expect(namesOf(await all(backend.store.readStream(conferenceStream('ecc2020'))))).toEqual(names);
    const log = await all(backend.store.readAll({ pageSize: 2 }));
    expect(namesOf(log)).toEqual(names);
    expect(log.filter((e) => e.type === 'PersonalDataForgotten').map((e) => e.data)).toEqual([{ subject: ana, forgottenAt: forgotten.forgottenAt }]);
    expect(namesOf(eventsOf(await subscribed(backend.store)))).toEqual(names);
    expect((await backend.keys.loadKeys([ana])).get(ana)).toEqual({ state: 'forgotten', forgottenAt: forgotten.forgottenAt });

    const again = await forgetSubject({ keyStore: backend.keys, eventStore: backend.store }, ana);
    expect(again).toEqual({ ...forgotten, keyDeleted: false, alreadyForgotten: true });
    expect((await all(backend.store.readAll())).filter((e) => e.type === 'PersonalDataForgotten')).toHaveLength(1);
  });

  it('refuses new personal data of a forgotten subject, writing nothing', async () => {
    await forgetSubject({ keyStore: backend.keys, eventStore: backend.store }, ana);
    const head = await backend.raw.headPosition();
    const again = { type: 'AttendeeRegistered', data: { conferenceId: 'ecc2020', attendeeId: 'ana', name: 'Ana again', country: 'DE', stakeholderGroup: 'research' },
      metadata: { eventId: newEventId(), occurredAt: '2021-02-01T00:00:00Z', correlationId: 'c', causationId: 'c', schemaVersion: 1 } };
    await expect(backend.store.appendToStream(conferenceStream('ecc2020'), [again])).rejects.toThrow(ForgottenSubjectError);
    await expect(backend.store.appendToStream(conferenceStream('ecc2020'), [again])).rejects.toThrow(/subject "attendee-ecc2020.ana", which was forgotten at .*new id/);
    expect(await backend.raw.headPosition()).toEqual(head);
  });

  it('keeps counts through a forget, scrubs the name live, and a rebuild gives the same documents', async () => {
    const readModels = await project(backend.store);
    const before = await documents(readModels);
    expect(before.attendance).toMatchObject({ total: 3, byCountry: { DE: 2, FR: 1 }, byStakeholderGroup: { research: 1, business: 2 } });
    expect(before.directory.map(({ document }) => document['name'])).toEqual(['Ana Álvarez', 'Bo Berg', 'Cy Curie']);

    await forgetSubject({ keyStore: backend.keys, eventStore: backend.store }, ana);
    const live = await documents(await project(backend.store, readModels));
    expect(live.attendance).toEqual(before.attendance);
    expect(live.directory.map(({ document }) => document['name'])).toEqual([forgottenValue(ana), 'Bo Berg', 'Cy Curie']);

    const rebuilt = await documents(await project(backend.store));
    expect(rebuilt).toEqual(live);
  });

  it('exports ciphertext only: moved with its keys the history reads as before, without them every name is forgotten', async () => {
    await forgetSubject({ keyStore: backend.keys, eventStore: backend.store }, ana);
    let exported = '';
    await exportEvents(backend.raw, (chunk) => {
      exported += chunk;
    });
    expect(exported).not.toMatch(/Ana|Bo Berg|Cy Curie/);
    const dir = mkdtempSync(join(tmpdir(), 'clusterconf-export-'));
    try {
      const file = join(dir, 'events.ndjson');
      writeFileSync(file, exported);
      const keyRecords: KeyRecord[] = await all(backend.keys.exportKeys());
      expect(JSON.stringify(keyRecords)).toMatch(/"forgottenAt"/);

      const withKeys = new MemoryKeyStore();
      await withKeys.importKeys(keyRecords);
      const target = new MemoryEventStore();
      await importEvents(target, file);
      const moved = withPersonalData(target, { keyStore: withKeys, registry: conferenceEvents });
      expect(namesOf(await all(moved.readAll()))).toEqual({ ana: forgottenValue(ana), bo: 'Bo Berg', cy: 'Cy Curie' });
      expect((await documents(await project(moved))).attendance).toMatchObject({ total: 3 });

      const withoutKeys = withPersonalData(target, { keyStore: new MemoryKeyStore(), registry: conferenceEvents });
      const names = namesOf(await all(withoutKeys.readAll()));
      expect(Object.values(names).map((name) => (name as { forgotten?: boolean }).forgotten)).toEqual([true, true, true]);
      expect((await documents(await project(withoutKeys))).attendance).toMatchObject({ total: 3, byCountry: { DE: 2, FR: 1 } });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('gives concurrent first events of one subject, from separate writers, one key that opens them all', async () => {
    const dee = attendeeSubject('ecc2020', 'dee');
    const writers = await Promise.all(Array.from({ length: 4 }, () => backend.writer()));
    // Each writer seals a first event of the same new subject, at once, into a stream of its own.
    await Promise.all(writers.map((writer, index) => writer.appendToStream(`registrations-${index}`, [{
      type: 'AttendeeRegistered', data: { conferenceId: 'ecc2020', attendeeId: 'dee', name: `Dee ${index}`, country: 'SE', stakeholderGroup: 'business' },
      metadata: { eventId: newEventId(), occurredAt: '2021-02-01T00:00:00Z', correlationId: 'c', causationId: 'c', schemaVersion: 1 },
    }])));
    const names = await Promise.all(writers.map(async (_writer, index) => namesOf(await all(backend.store.readStream(`registrations-${index}`)))['dee']));
    expect(names).toEqual(['Dee 0', 'Dee 1', 'Dee 2', 'Dee 3']);
    expect((await backend.keys.loadKeys([dee])).get(dee)?.state).toBe('active');
    expect(sealedStoreOf(backend.store)).toBe(backend.raw);
  });

  it('refuses a moved or altered ciphertext with an error naming the event, on every read path', async () => {
    const stored = await all(backend.raw.readStream(conferenceStream('ecc2020')));
    const anaSealed = (stored[1]!.data as { name: { ct: string } }).name;
    const flipped = Buffer.from(anaSealed.ct, 'base64');
    flipped[13]! ^= 0x10;
    const registration = (attendeeId: string, name: unknown) => ({
      type: 'AttendeeRegistered', data: { conferenceId: 'ecc2020', attendeeId, name, country: 'SE', stakeholderGroup: 'business' },
      metadata: { eventId: newEventId(), occurredAt: '2021-02-01T00:00:00Z', correlationId: 'c', causationId: 'c', schemaVersion: 1 },
    });
    // Ana's ciphertext copied into another registration, and one altered by a bit, written past the layer.
    await backend.raw.appendToStream(conferenceStream('ecc2020'), [registration('dee', anaSealed)]);
    const moved = /stream "conference-ecc2020" revision 4 .*event "AttendeeRegistered" holds personal data at data\.name \(subject "attendee-ecc2020\.ana"\) that does not decrypt/;
    await expect(all(backend.store.readStream(conferenceStream('ecc2020')))).rejects.toThrow(moved);
    await expect(all(backend.store.readAll())).rejects.toThrow(SealedDataError);
    const messages = await subscribed(backend.store);
    const unreadable = messages.filter((m) => m.kind === 'unreadable');
    expect(unreadable).toHaveLength(1);
    expect(unreadable[0]!.kind === 'unreadable' && unreadable[0]!.event).toMatchObject({ streamId: 'conference-ecc2020', streamRevision: 4n, type: 'AttendeeRegistered' });
    expect(unreadable[0]!.kind === 'unreadable' && unreadable[0]!.event.error).toBeInstanceOf(CorruptEventError);
    // The subscription goes on past it.
    expect(eventsOf(messages)).toHaveLength(4);

    const runner = createProjectionRunner({ eventStore: backend.store, readModelStore: new MemoryReadModelStore(), registry: conferenceEvents, projections: conferenceProjections });
    await runner.start();
    await expect(runner.waitFor(await backend.store.headPosition(), { timeoutMs: 20_000 })).rejects.toThrow(/stream "conference-ecc2020" revision 4/);
    const failed = (await runner.status()).filter((s) => s.state === 'failed').map((s) => s.name).sort();
    await runner.stop();
    expect(failed).toEqual(['attendance', 'attendee_directory']);

    await backend.raw.appendToStream('conference-other', [registration('eve', { ...anaSealed, ct: flipped.toString('base64') })]);
    await expect(all(backend.store.readStream('conference-other'))).rejects.toThrow(/stream "conference-other" revision 0 .*does not decrypt/);
  });
});
