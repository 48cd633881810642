import { describe, expect, it } from 'vitest';
import { sequencePosition } from '@clusterconf/domain';
import { DocumentNotFoundError } from './errors.js';
import { MemoryReadModelStore } from './memory/index.js';
import { UnitOfWork } from './unit-of-work.js';

describe('the unit of work', () => {
  it('lets reads see the batch and commits nothing until the batch commits with its checkpoint', async () => {
    const store = new MemoryReadModelStore();
    const work = new UnitOfWork(store, 'demo_v1');
    await work.operations.upsert('things', 'a', { n: 1 });
    await work.operations.patch('things', 'a', { m: 2 });
    work.keepEvent();
    expect(await work.operations.get('things', 'a')).toEqual({ n: 1, m: 2 });
    expect(await store.readDocument('demo_v1', 'things', 'a')).toBeUndefined();
    await work.commit(sequencePosition(7n));
    expect(await store.readDocument('demo_v1', 'things', 'a')).toEqual({ n: 1, m: 2 });
    expect(await store.loadCheckpoint('demo_v1')).toEqual(sequencePosition(7n));
  });

  it('undoes every write of a discarded event, restoring earlier pending writes and forgetting new ones', async () => {
    const work = new UnitOfWork(new MemoryReadModelStore(), 'demo_v1');
    await work.operations.upsert('things', 'kept', { v: 'first' });
    work.keepEvent();
    await work.operations.upsert('things', 'kept', { v: 'second' });
    await work.operations.upsert('things', 'new', { v: 'new' });
    await work.operations.delete('things', 'kept');
    work.discardEvent();
    expect(await work.operations.get('things', 'kept')).toEqual({ v: 'first' });
    expect(await work.operations.get('things', 'new')).toBeUndefined();
  });

  it('refuses to patch a missing document, naming it, and freezes documents against mutation', async () => {
    const work = new UnitOfWork(new MemoryReadModelStore(), 'demo_v1');
    await expect(work.operations.patch('things', 'ghost', { v: 1 })).rejects.toThrow(DocumentNotFoundError);
    await expect(work.operations.patch('things', 'ghost', { v: 1 })).rejects.toThrow(/document "ghost" in collection "things"/);
    await work.operations.upsert('things', 'a', { list: [1] });
    const document = (await work.operations.get<{ list: number[] }>('things', 'a'))!;
    expect(() => document.list.push(2)).toThrow(TypeError);
    // Every level, through arrays of objects, including parts shared with an already frozen document.
    const shared = Object.freeze({ kept: true });
    await work.operations.upsert('things', 'b', { rows: [{ cells: [{ v: 1 }] }, shared], meta: { tags: ['x'] } });
    const nested = (await work.operations.get<{ rows: [{ cells: { v: number }[] }]; meta: { tags: string[] } }>('things', 'b'))!;
    expect(() => nested.rows[0].cells.push({ v: 2 })).toThrow(TypeError);
    expect(() => (nested.rows[0].cells[0]!.v = 3)).toThrow(TypeError);
    expect(() => nested.meta.tags.push('y')).toThrow(TypeError);
  });

  it('leaves documents mutable when freezing is turned off', async () => {
    const work = new UnitOfWork(new MemoryReadModelStore(), 'demo_v1', { freezeDocuments: false });
    await work.operations.upsert('things', 'a', { list: [1] });
    expect(Object.isFrozen(await work.operations.get('things', 'a'))).toBe(false);
  });
});
