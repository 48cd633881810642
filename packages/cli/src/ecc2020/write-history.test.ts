import { describe, expect, it } from 'vitest';
import { MemoryEventStore } from '@clusterconf/adapters/memory';
import { conferenceStream, type RecordedEvent } from '@clusterconf/domain';
import { exportEvents } from '../ndjson.js';
import { CONFERENCE_ID, generateHistory } from './generator.js';
import { HistoryRefusedError, historyState, writeEcc2020History } from './write-history.js';

/** A store holding only the first event of `store`'s history, as a seed killed after its first command leaves it. */
const firstEventOf = async (store: MemoryEventStore): Promise<MemoryEventStore> => {
  const partial = new MemoryEventStore();
  for await (const event of store.readStream(conferenceStream(CONFERENCE_ID), { maxCount: 1 })) {
    await partial.appendToStream(event.streamId, [{ type: event.type, data: event.data, metadata: event.metadata, tags: event.tags }]);
  }
  return partial;
};

const checksum = async (store: MemoryEventStore) => (await exportEvents(store, () => undefined)).sha256;

describe('writeEcc2020History', () => {
  it('writes one event per command and the same events, ids included, on every run with one seed', async () => {
    const a = new MemoryEventStore();
    const b = new MemoryEventStore();
    expect(await historyState(a)).toBe('empty');
    const written = await writeEcc2020History(a);
    await writeEcc2020History(b);
    expect(written).toEqual({ commands: generateHistory().length, events: generateHistory().length });
    expect(await historyState(a)).toBe('complete');
    expect(await checksum(b)).toBe(await checksum(a));

    const other = new MemoryEventStore();
    await writeEcc2020History(other, { seed: 7 });
    expect(await checksum(other)).not.toBe(await checksum(a));
  });

  it('records every event with the instant its step happened', async () => {
    const store = new MemoryEventStore();
    await writeEcc2020History(store);
    const events: RecordedEvent[] = [];
    for await (const event of store.readAll()) events.push(event);
    expect(events.map((e) => e.metadata.occurredAt)).toEqual(generateHistory().map((s) => s.at));
  });

  it('finishes a history interrupted by a crash: commands already in the store are answered, not written again', async () => {
    const store = new MemoryEventStore();
    const steps: [number, number][] = [];
    await writeEcc2020History(store, { onStep: (done, total) => steps.push([done, total]) });
    expect(steps.at(-1)).toEqual([steps.length, steps.length]);

    const partial = await firstEventOf(store);
    expect(await historyState(partial)).toBe('partial');
    // Command ids are seeded, and event ids follow from them: the first command finds its event and appends nothing.
    expect(await writeEcc2020History(partial)).toEqual({ commands: steps.length, events: steps.length - 1 });
    expect(await checksum(partial)).toBe(await checksum(store));
  });

  it('stops with the domain\'s refusal when the store holds part of a history of another seed', async () => {
    const other = new MemoryEventStore();
    await writeEcc2020History(other, { seed: 7 });
    const partial = await firstEventOf(other);
    const error = await writeEcc2020History(partial).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(HistoryRefusedError);
    expect((error as HistoryRefusedError).refusal.code).toBe('ConferenceAlreadyScheduled');
  });
});
