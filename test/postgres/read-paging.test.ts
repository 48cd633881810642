import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { StreamNotFoundError } from '@clusterconf/domain';
import type { PostgresEventStore } from '@clusterconf/adapters/postgres';
import { newEvent } from '@clusterconf/adapters/testing';
import { dropSchema, postgresAvailable, uniqueSchema } from '../support/postgres.js';
import { collect, openStore } from './fixtures.js';

describe.skipIf(!postgresAvailable)('PostgreSQL reads across page boundaries', () => {
  const schema = uniqueSchema('paging');
  let store: PostgresEventStore;
  const numbers = async (iterable: AsyncIterable<{ data: unknown }>) => (await collect(iterable)).map((e) => (e.data as { n: number }).n);

  beforeAll(async () => {
    // Pages of 4 rows, so every read below crosses several pages and ends exactly on or inside one.
    store = await openStore(schema, { pageSize: 4 });
    await store.appendToStream('eight', Array.from({ length: 8 }, (_, n) => newEvent('N', { n })));
    await store.appendToStream('ten', Array.from({ length: 10 }, (_, n) => newEvent('N', { n })));
  });
  afterAll(async () => {
    await store.close();
    await dropSchema(schema);
  });

  it('reads a stream that is an exact multiple of the page size, forwards and backwards', async () => {
    expect(await numbers(store.readStream('eight'))).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
    expect(await numbers(store.readStream('eight', { direction: 'backwards' }))).toEqual([7, 6, 5, 4, 3, 2, 1, 0]);
  });

  it('honours fromRevision and maxCount across pages', async () => {
    expect(await numbers(store.readStream('ten', { fromRevision: 3n, maxCount: 6 }))).toEqual([3, 4, 5, 6, 7, 8]);
    expect(await numbers(store.readStream('ten', { direction: 'backwards', fromRevision: 8n, maxCount: 5 }))).toEqual([8, 7, 6, 5, 4]);
    expect(await numbers(store.readStream('ten', { fromRevision: 'end' }))).toEqual([9]);
  });

  it('an existing stream read past its end is empty; a missing one is StreamNotFoundError', async () => {
    expect(await numbers(store.readStream('ten', { fromRevision: 10n }))).toEqual([]);
    expect(await numbers(store.readStream('ten', { fromRevision: 2n ** 70n }))).toEqual([]);
    expect(await numbers(store.readStream('ten', { maxCount: 0 }))).toEqual([]);
    await expect(collect(store.readStream('missing'))).rejects.toBeInstanceOf(StreamNotFoundError);
    await expect(collect(store.readStream('missing', { fromRevision: 5n }))).rejects.toBeInstanceOf(StreamNotFoundError);
  });

  it('readAll pages through the log with maxCount and a filter', async () => {
    expect((await collect(store.readAll())).length).toBe(18);
    expect((await collect(store.readAll({ maxCount: 9 }))).map((e) => e.streamId)).toEqual([...Array(8).fill('eight'), 'ten']);
    expect(await numbers(store.readAll({ filter: { streamPrefixes: ['te'] }, maxCount: 5 }))).toEqual([0, 1, 2, 3, 4]);
  });
});
