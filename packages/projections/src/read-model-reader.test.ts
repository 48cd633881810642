import { describe, expect, it } from 'vitest';
import { MemoryReadModelStore } from './memory/index.js';
import { createReadModelReader } from './read-model-reader.js';

describe('the read-model reader', () => {
  it('reads the active version only, and nothing before a version is active', async () => {
    const store = new MemoryReadModelStore();
    const reader = createReadModelReader(store);
    const write = (namespace: string, value: number) =>
      store.commitBatch({ namespace, changes: [{ kind: 'upsert', collection: 'c', id: 'x', document: { value } }], statements: [], deadLetters: [], removeDeadLetters: [], checkpoint: undefined, expectedCheckpoint: undefined });
    await write('demo_v1', 1);
    await write('demo_v2', 2);
    expect(await reader.get('demo', 'c', 'x')).toBeUndefined();
    expect(await reader.list('demo', 'c')).toEqual([]);
    await store.activate('demo', 1);
    expect(await reader.get('demo', 'c', 'x')).toEqual({ value: 1 });
    await store.activate('demo', 2);
    expect(await reader.list('demo', 'c')).toEqual([{ id: 'x', document: { value: 2 } }]);
  });
});
