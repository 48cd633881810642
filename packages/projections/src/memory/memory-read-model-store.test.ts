import { describe, expect, it } from 'vitest';
import { StoreClosedError, type Position } from '@clusterconf/domain';
import { InvalidProjectionError } from '../errors.js';
import { InvalidDocumentError } from '../invalid-document-error.js';
import type { BatchCommit, DeadLetter } from '../read-model-store.js';
import { MemoryReadModelStore } from './memory-read-model-store.js';

const at = (n: bigint): Position => ({ commit: n, prepare: n });

const batch = (namespace: string, parts: Partial<Omit<BatchCommit, 'namespace'>>): BatchCommit => ({
  namespace, changes: [], statements: [], deadLetters: [], removeDeadLetters: [], checkpoint: undefined, expectedCheckpoint: undefined, ...parts,
});

const deadLetter = (namespace: string, position: Position): DeadLetter => ({
  namespace,
  event: {
    streamId: 's', streamRevision: 0n, position, type: 'T', data: { n: 1 },
    metadata: { eventId: 'e', occurredAt: '2020-11-23T09:00:00.000Z', correlationId: 'c', causationId: 'c', schemaVersion: 1 },
  },
  errorCode: 'BOOM', errorMessage: 'boom', recordedAt: '2020-11-23T09:00:01.000Z',
});

describe('the memory read-model store', () => {
  it('commits documents with their checkpoint, returns copies, and keeps EventStoreDB positions exactly', async () => {
    const store = new MemoryReadModelStore();
    const document = { title: 'Opening', speakers: ['ada'] };
    await store.commitBatch(batch('talks_v1', { changes: [{ kind: 'upsert', collection: 'talks', id: 'k', document }], checkpoint: { commit: 1200n, prepare: 1100n } }));
    const read = (await store.readDocument<typeof document>('talks_v1', 'talks', 'k'))!;
    read.speakers.push('mutated');
    expect(await store.readDocument('talks_v1', 'talks', 'k')).toEqual({ title: 'Opening', speakers: ['ada'] });
    expect(await store.loadCheckpoint('talks_v1')).toEqual({ commit: 1200n, prepare: 1100n });
    await store.commitBatch(batch('talks_v1', { changes: [{ kind: 'delete', collection: 'talks', id: 'k' }], expectedCheckpoint: { commit: 1200n, prepare: 1100n } }));
    expect(await store.readDocument('talks_v1', 'talks', 'k')).toBeUndefined();
    expect(await store.loadCheckpoint('talks_v1')).toEqual({ commit: 1200n, prepare: 1100n });
  });

  it('writes nothing of a batch holding a document that is not JSON', async () => {
    const store = new MemoryReadModelStore();
    const bad = batch('x_v1', {
      changes: [{ kind: 'upsert', collection: 'c', id: 'ok', document: { a: 1 } }, { kind: 'upsert', collection: 'c', id: 'bad', document: { n: 1n } }],
      checkpoint: at(5n),
    });
    await expect(store.commitBatch(bad)).rejects.toThrow(InvalidDocumentError);
    expect(await store.readDocument('x_v1', 'c', 'ok')).toBeUndefined();
    expect(await store.loadCheckpoint('x_v1')).toBeUndefined();
  });

  it('lists a collection in byte order of the ids, page by page', async () => {
    const store = new MemoryReadModelStore();
    const ids = ['b', 'a', 'Z', 'é', 'aa'];
    await store.commitBatch(batch('x_v1', { changes: ids.map((id) => ({ kind: 'upsert' as const, collection: 'c', id, document: { id } })) }));
    const all = await store.listDocuments('x_v1', 'c');
    expect(all.map((d) => d.id)).toEqual(['Z', 'a', 'aa', 'b', 'é']);
    expect((await store.listDocuments('x_v1', 'c', { afterId: 'a', limit: 2 })).map((d) => d.id)).toEqual(['aa', 'b']);
  });

  it('records dead letters with their batch, lists them in position order and removes them', async () => {
    const store = new MemoryReadModelStore();
    await store.commitBatch(batch('x_v1', { deadLetters: [deadLetter('x_v1', at(9n)), deadLetter('x_v1', at(3n))], checkpoint: at(9n) }));
    expect((await store.listDeadLetters('x_v1')).map((d) => d.event.position.prepare)).toEqual([3n, 9n]);
    await store.commitBatch(batch('x_v1', { removeDeadLetters: [at(3n)], expectedCheckpoint: at(9n) }));
    expect((await store.listDeadLetters('x_v1')).map((d) => d.event.position.prepare)).toEqual([9n]);
    expect(await store.loadCheckpoint('x_v1')).toEqual(at(9n));
  });

  it('keeps versions apart, drops one namespace whole and validates activation', async () => {
    const store = new MemoryReadModelStore();
    await store.commitBatch(batch('x_v1', { changes: [{ kind: 'upsert', collection: 'c', id: 'a', document: { v: 1 } }], checkpoint: at(1n) }));
    await store.commitBatch(batch('x_v2', { changes: [{ kind: 'upsert', collection: 'c', id: 'a', document: { v: 2 } }], checkpoint: at(2n) }));
    await store.dropNamespace('x_v1');
    expect(await store.readDocument('x_v1', 'c', 'a')).toBeUndefined();
    expect(await store.loadCheckpoint('x_v1')).toBeUndefined();
    expect(await store.readDocument('x_v2', 'c', 'a')).toEqual({ v: 2 });
    await store.activate('x', 2);
    expect(await store.activeVersion('x')).toBe(2);
    await expect(store.activate('X-bad', 1)).rejects.toThrow(InvalidProjectionError);
    await expect(store.commitBatch(batch('Bad Name', {}))).rejects.toThrow(InvalidProjectionError);
    // Only projection versions are namespaces, as in the SQL stores.
    await expect(store.dropNamespace('x')).rejects.toThrow(InvalidProjectionError);
    expect(await store.readDocument('x_v2', 'c', 'a')).toEqual({ v: 2 });
  });

  it('refuses queued SQL, which it cannot run', async () => {
    const store = new MemoryReadModelStore();
    await expect(store.commitBatch(batch('x_v1', { statements: [{ text: 'select 1', params: [] }] }))).rejects.toThrow(/runs no SQL/);
  });

  it('grants a namespace lease to one holder at a time and aborts leases when it closes', async () => {
    const store = new MemoryReadModelStore();
    const first = (await store.acquireLease('x_v1', 'one'))!;
    expect(await store.acquireLease('x_v1', 'two')).toBeUndefined();
    expect(await store.acquireLease('x_v2', 'two')).toBeDefined();
    await first.release();
    const again = (await store.acquireLease('x_v1', 'two'))!;
    expect(again.owner).toBe('two');
    await store.close();
    expect(again.lost.aborted).toBe(true);
    await expect(store.loadCheckpoint('x_v1')).rejects.toThrow(StoreClosedError);
  });

  it('refuses a list limit that is not a whole number ≥ 0, as the SQL stores do', async () => {
    const store = new MemoryReadModelStore();
    for (const limit of [-1, 1.5, Number.NaN]) {
      await expect(store.listDocuments('talks_v1', 'talks', { limit })).rejects.toThrow(/listDocuments limit .* is not a whole number ≥ 0/);
    }
  });
});
