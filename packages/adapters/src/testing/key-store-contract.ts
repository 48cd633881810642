/**
 * The key-store contract suite: the semantics of the `KeyStore` port, identical in every implementation. Register it
 * once per key store in a Vitest test file:
 *
 *   describeKeyStoreContract('my key store', async () => {
 *     const storage = await freshDatabase();
 *     return { open: () => MyKeyStore.open(storage), cleanup: () => dropDatabase(storage) };
 *   });
 *
 * `open` must return a new handle (a new connection) over the same, initially EMPTY storage each time it is called, as
 * another process would open it; the suite closes the handles it opens, then calls `cleanup`.
 */
import { randomUUID } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { KeyRecord, KeyStore, SubjectId, SubjectKey } from '@clusterconf/domain';
import { KeyImportConflictError, newSubjectKey, StoreClosedError, subjectId } from '@clusterconf/domain';

/** Storage for one case of the key-store contract. */
export interface KeyStoreHarness {
  /** A new handle over the case's storage. */
  readonly open: () => Promise<KeyStore>;
  /** Removes what the factory created, after the suite closed every handle. */
  readonly cleanup: () => Promise<void>;
}

const drain = async (records: AsyncIterable<KeyRecord>): Promise<KeyRecord[]> => {
  const all: KeyRecord[] = [];
  for await (const record of records) all.push(record);
  return all;
};

const hex = (key: SubjectKey | undefined): string | undefined => (key === undefined ? undefined : Buffer.from(key).toString('hex'));

/** Registers the contract cases for a key store. */
export const describeKeyStoreContract = (name: string, factory: () => Promise<KeyStoreHarness>, options: { readonly concurrentCreators?: number } = {}): void => {
  describe(`${name} key store contract`, () => {
    let harness: KeyStoreHarness;
    let handles: KeyStore[];
    let store: KeyStore;
    const open = async (): Promise<KeyStore> => {
      const handle = await harness.open();
      handles.push(handle);
      return handle;
    };
    const prefix = () => `s-${randomUUID().slice(0, 8)}`;
    beforeEach(async () => {
      harness = await factory();
      handles = [];
      store = await open();
    });
    afterEach(async () => {
      for (const handle of handles) await handle.close();
      await harness.cleanup();
    });

    it('knows no subject it was not given, and returns each created key as stored', async () => {
      const [ana, bo] = [subjectId(`${prefix()}.ana`), subjectId(`${prefix()}.bo`)];
      expect((await store.loadKeys([ana, bo])).size).toBe(0);
      expect((await store.loadKeys([])).size).toBe(0);
      const key = newSubjectKey();
      const created = await store.createKeys(new Map([[ana, key]]), '2020-11-24T09:00:00.000Z');
      expect(created.get(ana)).toEqual({ state: 'active', key: expect.anything(), createdAt: '2020-11-24T09:00:00.000Z' });
      expect(hex((created.get(ana) as { key: SubjectKey }).key)).toBe(hex(key));
      const loaded = await store.loadKeys([ana, bo]);
      expect([...loaded.keys()]).toEqual([ana]);
      expect(hex((loaded.get(ana) as { key: SubjectKey }).key)).toBe(hex(key));
    });

    it('keeps the first key of a subject: a later creator gets it back instead of its own', async () => {
      const ana = subjectId(`${prefix()}.ana`);
      const first = newSubjectKey();
      await store.createKeys(new Map([[ana, first]]), '2020-11-24T09:00:00.000Z');
      const again = await store.createKeys(new Map([[ana, newSubjectKey()]]), '2020-11-25T09:00:00.000Z');
      expect(again.get(ana)).toMatchObject({ state: 'active', createdAt: '2020-11-24T09:00:00.000Z' });
      expect(hex((again.get(ana) as { key: SubjectKey }).key)).toBe(hex(first));
    });

    it('gives concurrent first creators of one subject, through separate handles, one and the same key', async () => {
      const ana = subjectId(`${prefix()}.ana`);
      const creators = await Promise.all(Array.from({ length: options.concurrentCreators ?? 8 }, () => open()));
      const results = await Promise.all(creators.map((creator) => creator.createKeys(new Map([[ana, newSubjectKey()]]), '2020-11-24T09:00:00.000Z')));
      const keys = new Set(results.map((result) => hex((result.get(ana) as { key: SubjectKey }).key)));
      expect(keys.size).toBe(1);
      expect(hex(((await store.loadKeys([ana])).get(ana) as { key: SubjectKey }).key)).toBe([...keys][0]);
    });

    it('forgets a subject for good: its key is gone, a later creator gets the forget, and a repeat changes nothing', async () => {
      const [ana, never] = [subjectId(`${prefix()}.ana`), subjectId(`${prefix()}.never`)];
      await store.createKeys(new Map([[ana, newSubjectKey()]]), '2020-11-24T09:00:00.000Z');
      expect(await store.forget(ana, '2021-01-01T00:00:00.000Z')).toEqual({ forgottenAt: '2021-01-01T00:00:00.000Z', keyDeleted: true, alreadyForgotten: false });
      expect(await store.forget(ana, '2021-02-01T00:00:00.000Z')).toEqual({ forgottenAt: '2021-01-01T00:00:00.000Z', keyDeleted: false, alreadyForgotten: true });
      expect((await store.loadKeys([ana])).get(ana)).toEqual({ state: 'forgotten', forgottenAt: '2021-01-01T00:00:00.000Z' });
      expect((await store.createKeys(new Map([[ana, newSubjectKey()]]), '2021-03-01T00:00:00.000Z')).get(ana))
        .toEqual({ state: 'forgotten', forgottenAt: '2021-01-01T00:00:00.000Z' });
      // A subject forgotten before it had any data gets none later either.
      expect(await store.forget(never, '2021-01-01T00:00:00.000Z')).toEqual({ forgottenAt: '2021-01-01T00:00:00.000Z', keyDeleted: false, alreadyForgotten: false });
      expect((await store.createKeys(new Map([[never, newSubjectKey()]]), '2021-03-01T00:00:00.000Z')).get(never)?.state).toBe('forgotten');
      const other = await open();
      expect((await other.loadKeys([ana, never])).size).toBe(2);
    });

    it('exports every entry in subject order, and imports it into another store as it was', async () => {
      const p = prefix();
      const subjects = Array.from({ length: 1205 }, (_, i) => subjectId(`${p}.${String(i).padStart(4, '0')}`));
      await store.createKeys(new Map(subjects.map((subject) => [subject, newSubjectKey()])), '2020-11-24T09:00:00.000Z');
      await store.forget(subjects[3]!, '2021-01-01T00:00:00.000Z');
      const exported = (await drain(store.exportKeys())).filter((record) => record.subject.startsWith(p));
      expect(exported.map((record) => record.subject)).toEqual(subjects);
      expect(exported[3]).toEqual({ subject: subjects[3], forgottenAt: '2021-01-01T00:00:00.000Z' });
      expect(await store.importKeys(exported)).toEqual({ added: 0, present: 1205, forgotten: 0, keptForgotten: 0 });
    });

    it('imports so that forgets win both ways, and refuses a second key for a subject, writing nothing', async () => {
      const p = prefix();
      const [ana, bo, cy, dee] = ['ana', 'bo', 'cy', 'dee'].map((n) => subjectId(`${p}.${n}`)) as [SubjectId, SubjectId, SubjectId, SubjectId];
      await store.createKeys(new Map([[ana, newSubjectKey()], [bo, newSubjectKey()]]), '2020-11-24T09:00:00.000Z');
      await store.forget(bo, '2021-01-01T00:00:00.000Z');
      const summary = await store.importKeys([
        { subject: ana, forgottenAt: '2021-02-01T00:00:00.000Z' },
        { subject: bo, key: Buffer.from(newSubjectKey()).toString('base64'), createdAt: '2020-11-24T09:00:00.000Z' },
        { subject: cy, key: Buffer.from(newSubjectKey()).toString('base64'), createdAt: '2020-11-24T09:00:00.000Z' },
      ]);
      expect(summary).toEqual({ added: 1, present: 0, forgotten: 1, keptForgotten: 1 });
      const states = await store.loadKeys([ana, bo, cy]);
      expect([states.get(ana)?.state, states.get(bo)?.state, states.get(cy)?.state]).toEqual(['forgotten', 'forgotten', 'active']);
      await expect(store.importKeys([
        { subject: dee, key: Buffer.from(newSubjectKey()).toString('base64'), createdAt: '2020-11-24T09:00:00.000Z' },
        { subject: cy, key: Buffer.from(newSubjectKey()).toString('base64'), createdAt: '2020-11-24T09:00:00.000Z' },
      ])).rejects.toThrow(KeyImportConflictError);
      expect((await store.loadKeys([dee])).size).toBe(0);
    });

    it('refuses to work once closed', async () => {
      await store.close();
      await expect(store.loadKeys([subjectId('x')])).rejects.toThrow(StoreClosedError);
    });
  });
};
