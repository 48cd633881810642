import { describe, expect, it } from 'vitest';
import { sequencePosition } from '@clusterconf/domain';
import { CheckpointConflictError } from './checkpoint-fence.js';
import { DocumentNotFoundError } from './errors.js';
import { MemoryReadModelStore } from './memory/index.js';
import { UnitOfWork } from './unit-of-work.js';

/** Runs an `update` or `mutate` that must find its document at hand: applied at once, no load to wait for. */
const atHand = (work: UnitOfWork, operation: () => void): void => {
  operation();
  expect(work.settled()).toBeUndefined();
};

describe('the unit of work', () => {
  it('lets reads see the batch and commits nothing until the batch commits with its checkpoint', async () => {
    const store = new MemoryReadModelStore();
    const work = new UnitOfWork(store, 'demo_v1');
    await work.operations.upsert('things', 'a', { n: 1 });
    await work.operations.patch('things', 'a', { m: 2 });
    work.keepEvent();
    expect(await work.operations.get('things', 'a')).toEqual({ n: 1, m: 2 });
    expect(await store.readDocument('demo_v1', 'things', 'a')).toBeUndefined();
    await work.commit(sequencePosition(7n), undefined);
    expect(await store.readDocument('demo_v1', 'things', 'a')).toEqual({ n: 1, m: 2 });
    expect(await store.loadCheckpoint('demo_v1')).toEqual(sequencePosition(7n));
  });

  it('fences its commit on the expected checkpoint: a stale one is refused, writing nothing', async () => {
    const store = new MemoryReadModelStore();
    const work = new UnitOfWork(store, 'demo_v1');
    await work.operations.upsert('things', 'a', { n: 1 });
    work.keepEvent();
    await work.commit(sequencePosition(3n), undefined);
    await work.operations.upsert('things', 'a', { n: 2 });
    work.keepEvent();
    await expect(work.commit(sequencePosition(5n), sequencePosition(2n))).rejects.toBeInstanceOf(CheckpointConflictError);
    await expect(work.commit(undefined, undefined)).rejects.toMatchObject({ expected: undefined, actual: sequencePosition(3n) });
    expect(await store.readDocument('demo_v1', 'things', 'a')).toEqual({ n: 1 });
    await work.commit(sequencePosition(5n), sequencePosition(3n));
    expect(await store.readDocument('demo_v1', 'things', 'a')).toEqual({ n: 2 });
    expect(await store.loadCheckpoint('demo_v1')).toEqual(sequencePosition(5n));
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

  it('drops a patch still loading when its event is discarded, and lets the caller wait for one it dropped', async () => {
    const store = new MemoryReadModelStore();
    const seed = new UnitOfWork(store, 'demo_v1');
    await seed.operations.upsert('things', 'b', { n: 1 });
    await seed.operations.upsert('things', 'c', { n: 1 });
    seed.keepEvent();
    await seed.commit(sequencePosition(1n), undefined);
    const work = new UnitOfWork(store, 'demo_v1');
    // A handler patching two documents at once: `a` is missing, so its patch fails and the event is discarded while
    // the patch of `b` still waits for its read.
    const both = Promise.all([work.operations.patch('things', 'a', { n: 9 }), work.operations.patch('things', 'b', { n: 9 })]);
    await expect(both).rejects.toThrow(DocumentNotFoundError);
    work.discardEvent();
    await new Promise((resolve) => setImmediate(resolve));
    // A patch whose promise the next event's handler drops is still part of that event.
    void work.operations.patch('things', 'c', { m: 2 });
    await work.settled();
    work.keepEvent();
    await work.commit(sequencePosition(2n), sequencePosition(1n));
    expect(await store.readDocument('demo_v1', 'things', 'b')).toEqual({ n: 1 });
    expect(await store.readDocument('demo_v1', 'things', 'c')).toEqual({ n: 1, m: 2 });
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

  it('updates with a pure function: synchronously when the document is at hand, after one store read when not', async () => {
    const store = new MemoryReadModelStore();
    const seed = new UnitOfWork(store, 'demo_v1');
    await seed.operations.upsert('things', 'stored', { n: 1 });
    seed.keepEvent();
    await seed.commit(sequencePosition(1n), undefined);

    let reads = 0;
    const readDocument = store.readDocument.bind(store);
    store.readDocument = (...args) => {
      reads++;
      return readDocument(...args);
    };
    const work = new UnitOfWork(store, 'demo_v1');
    const bump = (current: { n: number } | undefined) => ({ n: (current?.n ?? 0) + 1 });
    // Not at hand: both updates share one read and apply in call order, neither losing the other.
    work.operations.update('things', 'stored', bump);
    work.operations.update('things', 'stored', bump);
    expect(work.hasChanges).toBe(false);
    const loading = work.settled();
    expect(loading).toBeInstanceOf(Promise);
    await loading;
    expect(reads).toBe(1);
    // At hand now (in the batch): applied at once, nothing to wait for.
    atHand(work, () => work.operations.update('things', 'stored', bump));
    work.operations.update('things', 'fresh', bump);
    expect(work.settled()).toBeInstanceOf(Promise);
    expect(await work.operations.get('things', 'stored')).toEqual({ n: 4 });
    work.keepEvent();
    await work.commit(sequencePosition(2n), sequencePosition(1n));
    expect(await store.readDocument('demo_v1', 'things', 'stored')).toEqual({ n: 4 });
    // Committed documents stay cached for the next batch.
    const before = reads;
    atHand(work, () => work.operations.update('things', 'fresh', bump));
    expect(reads).toBe(before);
  });

  it('deletes when the change returns undefined, changes nothing when it returns the same document, and undoes on discard', async () => {
    const work = new UnitOfWork(new MemoryReadModelStore(), 'demo_v1');
    await work.operations.upsert('things', 'a', { v: 1 });
    work.keepEvent();
    await work.commit(undefined, undefined);
    atHand(work, () => work.operations.update('things', 'a', (current) => current));
    expect(work.hasChanges).toBe(false);
    atHand(work, () => work.operations.update('things', 'a', () => undefined));
    expect(work.hasChanges).toBe(true);
    expect(await work.operations.get('things', 'a')).toBeUndefined();
    work.discardEvent();
    expect(await work.operations.get('things', 'a')).toEqual({ v: 1 });
    // A missing document the change leaves missing stages nothing.
    await work.commit(undefined, undefined);
    work.operations.update('things', 'ghost', () => undefined);
    await work.settled();
    expect(work.hasChanges).toBe(false);
  });

  it('freezes what an update returns, so a later update cannot mutate it', async () => {
    const work = new UnitOfWork(new MemoryReadModelStore(), 'demo_v1');
    work.operations.update<{ list: number[] }>('things', 'a', () => ({ list: [1] }));
    await work.settled();
    expect(() =>
      work.operations.update<{ list: number[] }>('things', 'a', (current) => {
        current!.list.push(2);
        return current;
      }),
    ).toThrow(TypeError);
  });

  it('lets the caller wait for updates still loading, and drops those of a discarded event', async () => {
    const store = new MemoryReadModelStore();
    const seed = new UnitOfWork(store, 'demo_v1');
    await seed.operations.upsert('things', 'a', { n: 1 });
    await seed.operations.upsert('things', 'b', { n: 1 });
    await seed.commit(sequencePosition(1n), undefined);
    const readDocument = store.readDocument.bind(store);
    store.readDocument = async (...args) => {
      await new Promise((resolve) => setTimeout(resolve, 5));
      if (args[2] === 'broken') throw new Error('disk on fire');
      return readDocument(...args);
    };
    const work = new UnitOfWork(store, 'demo_v1');
    const bump = (current: { n: number } | undefined) => ({ n: (current?.n ?? 0) + 1 });
    expect(work.settled()).toBeUndefined();
    // Nothing to wait for in the handler: settled() covers the load.
    work.operations.update('things', 'a', bump);
    await work.settled();
    work.keepEvent();
    expect(await work.operations.get('things', 'a')).toEqual({ n: 2 });
    // Discarded while loading: the update never applies, and its failure is nobody's unhandled rejection.
    work.operations.update('things', 'b', bump);
    work.operations.update('things', 'broken', bump);
    work.discardEvent();
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(await work.operations.get('things', 'b')).toEqual({ n: 1 });
    expect(work.settled()).toBeUndefined();
    // A failed load rejects settled(), so the runner treats the event as a poison event, also when it failed before
    // the runner asked (without being an unhandled rejection meanwhile, which would fail this run).
    work.operations.update('things', 'broken', bump);
    await expect(work.settled()).rejects.toThrow('disk on fire');
    work.discardEvent();
    work.operations.update('things', 'broken', bump);
    await new Promise((resolve) => setTimeout(resolve, 20));
    await expect(work.settled()).rejects.toThrow('disk on fire');
  });

  it('lets a get after an update or mutate of a document still loading see it, and a get before it not', async () => {
    const store = new MemoryReadModelStore();
    const seed = new UnitOfWork(store, 'demo_v1');
    for (const id of ['a', 'b', 'c']) await seed.operations.upsert('things', id, { n: 1, seen: [] });
    await seed.commit(sequencePosition(1n), undefined);
    const readDocument = store.readDocument.bind(store);
    store.readDocument = async (...args) => {
      await new Promise((resolve) => setTimeout(resolve, 5));
      return readDocument(...args);
    };
    const work = new UnitOfWork(store, 'demo_v1');
    const bump = (current: { n: number; seen: string[] } | undefined) => ({ n: (current?.n ?? 0) + 1, seen: current?.seen ?? [] });
    work.operations.update('things', 'a', bump);
    expect(await work.operations.get('things', 'a')).toEqual({ n: 2, seen: [] });
    work.operations.mutate<{ n: number; seen: string[] }>('things', 'b', () => ({ n: 0, seen: [] }), (draft) => void draft.seen.push('x'));
    expect(await work.operations.get('things', 'b')).toEqual({ n: 1, seen: ['x'] });
    // A get called before the update answers with the document as it was when asked.
    const early = work.operations.get('things', 'c');
    work.operations.update('things', 'c', bump);
    expect(await early).toEqual({ n: 1, seen: [] });
    expect(await work.operations.get('things', 'c')).toEqual({ n: 2, seen: [] });
    await work.settled();
    work.keepEvent();
    await work.commit(sequencePosition(2n), sequencePosition(1n));
    expect(await store.readDocument('demo_v1', 'things', 'b')).toEqual({ n: 1, seen: ['x'] });
  });

  it('does not cache a read that a reset overtook', async () => {
    const store = new MemoryReadModelStore();
    let reads = 0;
    const readDocument = store.readDocument.bind(store);
    store.readDocument = async (...args) => {
      reads++;
      await new Promise((resolve) => setTimeout(resolve, 5));
      return readDocument(...args);
    };
    const work = new UnitOfWork(store, 'demo_v1');
    const early = work.operations.get('things', 'a');
    work.reset();
    await early;
    await work.operations.get('things', 'a');
    expect(reads).toBe(2);
    await work.operations.get('things', 'a');
    expect(reads).toBe(2);
  });

  describe('mutate', () => {
    type Counter = { n: number; seen: string[] };
    const create = (): Counter => ({ n: 0, seen: [] });
    const count = (label: string) => (draft: Counter) => {
      draft.n++;
      draft.seen.push(label);
    };

    it('copies a document once per batch and changes that draft in place, never what a store or reader holds', async () => {
      const store = new MemoryReadModelStore();
      const work = new UnitOfWork(store, 'demo_v1', { freezeDocuments: false });
      work.operations.mutate('things', 'a', create, count('one'));
      const loading = work.settled(); // not at hand: loads
      expect(loading).toBeInstanceOf(Promise);
      await loading;
      work.keepEvent();
      atHand(work, () => work.operations.mutate('things', 'a', create, count('two')));
      work.keepEvent();
      await work.commit(sequencePosition(2n), undefined);
      const committed = (await work.operations.get<Counter>('things', 'a'))!;
      expect(committed).toEqual({ n: 2, seen: ['one', 'two'] });

      // The next batch copies again: the document read above, which the runner's cache shares, stays as it was.
      atHand(work, () => work.operations.mutate('things', 'a', create, count('three')));
      work.keepEvent();
      expect(committed).toEqual({ n: 2, seen: ['one', 'two'] });
      // Reading a draft ends it, so what the reader holds does not change with the next mutate either.
      const read = (await work.operations.get<Counter>('things', 'a'))!;
      atHand(work, () => work.operations.mutate('things', 'a', create, count('four')));
      work.keepEvent();
      expect(read).toEqual({ n: 3, seen: ['one', 'two', 'three'] });
      await work.commit(sequencePosition(4n), sequencePosition(2n));
      expect(await store.readDocument('demo_v1', 'things', 'a')).toEqual({ n: 4, seen: ['one', 'two', 'three', 'four'] });
    });

    it('takes back the changes of a discarded event, also after the draft started over from a copy of itself', async () => {
      const work = new UnitOfWork(new MemoryReadModelStore(), 'demo_v1');
      const labels = Array.from({ length: 150 }, (_, i) => `e${i}`);
      for (const label of labels) {
        work.operations.mutate('things', 'a', create, count(label));
        await work.settled();
        work.keepEvent();
        if (label === 'e70' || label === 'e149') {
          // A handler that changed the draft twice, then failed half-way through a third change.
          atHand(work, () => work.operations.mutate('things', 'a', create, count('bad-1')));
          atHand(work, () => work.operations.mutate('things', 'a', create, count('bad-2')));
          expect(() =>
            work.operations.mutate('things', 'a', create, (draft) => {
              draft.n = -1;
              throw new Error('half-way');
            }),
          ).toThrow('half-way');
          work.discardEvent();
        }
      }
      const expected = { n: labels.length, seen: labels };
      expect(await work.operations.get('things', 'a')).toEqual(expected);
      // A discarded first change of a new draft leaves no document behind (not at hand: it fails after the load).
      work.operations.mutate('things', 'b', create, () => { throw new Error('no'); });
      await expect(work.settled()).rejects.toThrow('no');
      work.discardEvent();
      expect(await work.operations.get('things', 'b')).toBeUndefined();
    });

    it('takes back a discarded event whole when it also read, replaced or re-drafted a draft it had changed', async () => {
      const work = new UnitOfWork(new MemoryReadModelStore(), 'demo_v1', { freezeDocuments: false });
      work.operations.mutate('things', 'a', create, count('one'));
      await work.settled();
      work.operations.mutate('things', 'b', create, count('one'));
      await work.settled();
      work.keepEvent();
      // One event: changes both drafts; reads `a` (ending its draft) and drafts it again; replaces `b` outright.
      atHand(work, () => work.operations.mutate('things', 'a', create, count('two')));
      expect(await work.operations.get('things', 'a')).toEqual({ n: 2, seen: ['one', 'two'] });
      atHand(work, () => work.operations.mutate('things', 'a', create, count('three')));
      atHand(work, () => work.operations.mutate('things', 'b', create, count('two')));
      await work.operations.upsert('things', 'b', { n: 99, seen: [] });
      work.discardEvent();
      expect(await work.operations.get('things', 'a')).toEqual({ n: 1, seen: ['one'] });
      expect(await work.operations.get('things', 'b')).toEqual({ n: 1, seen: ['one'] });
      // The drafts made again go on from there.
      atHand(work, () => work.operations.mutate('things', 'a', create, count('four')));
      work.keepEvent();
      expect(await work.operations.get('things', 'a')).toEqual({ n: 2, seen: ['one', 'four'] });
    });

    it('freezes a draft once a reader has it or the batch commits, when documents are frozen', async () => {
      const work = new UnitOfWork(new MemoryReadModelStore(), 'demo_v1');
      work.operations.mutate('things', 'a', create, count('one'));
      await work.settled();
      work.keepEvent();
      const read = (await work.operations.get<Counter>('things', 'a'))!;
      expect(() => read.seen.push('sneaky')).toThrow(TypeError);
      atHand(work, () => work.operations.mutate('things', 'a', create, count('two')));
      work.keepEvent();
      await work.commit(sequencePosition(1n), undefined);
      const committed = (await work.operations.get<Counter>('things', 'a'))!;
      expect(Object.isFrozen(committed) && Object.isFrozen(committed.seen)).toBe(true);
      expect(committed).toEqual({ n: 2, seen: ['one', 'two'] });
    });

    it('drafts a copy of what create returns, so a shared starting document is never changed', async () => {
      const work = new UnitOfWork(new MemoryReadModelStore(), 'demo_v1', { freezeDocuments: false });
      const start: Counter = { n: 0, seen: [] };
      work.operations.mutate('things', 'a', () => start, count('one'));
      await work.settled();
      work.keepEvent();
      work.operations.mutate('things', 'b', () => start, count('two'));
      await work.settled();
      work.keepEvent();
      expect(start).toEqual({ n: 0, seen: [] });
      expect(await work.operations.get('things', 'b')).toEqual({ n: 1, seen: ['two'] });
    });

    it('mixes with update and delete on the same document in one batch', async () => {
      const work = new UnitOfWork(new MemoryReadModelStore(), 'demo_v1');
      work.operations.mutate('things', 'a', create, count('one'));
      await work.settled();
      atHand(work, () => work.operations.update<Counter>('things', 'a', (current) => ({ ...current!, n: current!.n * 10 })));
      atHand(work, () => work.operations.mutate('things', 'a', create, count('two')));
      work.keepEvent();
      expect(await work.operations.get('things', 'a')).toEqual({ n: 11, seen: ['one', 'two'] });
      await work.operations.delete('things', 'a');
      atHand(work, () => work.operations.mutate('things', 'a', create, count('again')));
      work.keepEvent();
      expect(await work.operations.get('things', 'a')).toEqual({ n: 1, seen: ['again'] });
    });
  });
});
