import { describe, expect, it } from 'vitest';
import { MemoryEventStore } from '@clusterconf/adapters/memory';
import { MemoryReadModelStore, type ReadModelStore } from '@clusterconf/projections';
import { catchUpProjections } from './catch-up.js';
import { writeEcc2020History } from './ecc2020/write-history.js';
import type { OpenedStores } from './open-store.js';
import { builtInProjections } from './projection-catalogue.js';

const snapshot = async (store: ReadModelStore) => {
  const collections: Record<string, string> = { attendance: 'conferences', agenda: 'agendas', ballot_tallies: 'ballots', award_roll: 'awards', alliance_roster: 'alliances' };
  const result: Record<string, unknown> = {};
  for (const projection of builtInProjections) {
    result[projection.name] = await store.listDocuments(projection.namespace, collections[projection.name]!);
  }
  return result;
};

describe('catchUpProjections', () => {
  it('brings every read model to the head, and rebuilding any of them reproduces exactly the same documents', async () => {
    const events = new MemoryEventStore();
    await writeEcc2020History(events);
    const readModels = new MemoryReadModelStore();
    const stores: OpenedStores = { events, readModels, durableReadModels: false, close: async () => undefined };
    const progress: [number, number][] = [];

    const first = await catchUpProjections(stores, { projections: builtInProjections, onProgress: (done, total) => progress.push([done, total]) });
    const head = await events.headPosition();
    expect(first.head).toEqual(head);
    expect(first.statuses.map((s) => s.position)).toEqual(builtInProjections.map(() => head));
    expect(progress.at(-1)).toEqual([Number(head!.prepare), Number(head!.prepare)]);
    const built = await snapshot(readModels);
    expect(built.attendance).toEqual([expect.objectContaining({ id: 'ecc2020', document: expect.objectContaining({ total: 1000 }) })]);

    for (const rebuild of [['attendance'], ['attendance', 'ballot_tallies'], builtInProjections.map((p) => p.name)]) {
      await catchUpProjections(stores, { projections: builtInProjections, rebuild });
      expect(await snapshot(readModels)).toEqual(built);
    }
  });
});
