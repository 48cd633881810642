import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CorruptEventError, formatPosition, type RecordedEvent } from '@clusterconf/domain';
import type { PostgresEventStore } from '@clusterconf/adapters/postgres';
import { newEvent } from '@clusterconf/adapters/testing';
import { dropSchema, postgresAvailable, uniqueSchema } from '../support/postgres.js';
import { collect, messagesUntil, openStore, rawClient } from './fixtures.js';

// Data and metadata are text columns (see the store's report), so hand edits can leave any of these behind; stream
// id, revision, type and position are typed, NOT NULL columns and cannot be corrupted into another shape.
const valid = { eventId: '0190a0b0-0000-7000-8000-000000000001', occurredAt: '2020-11-10T09:00:00Z', correlationId: 'c', causationId: 'c', schemaVersion: 1 };
const { correlationId: _c, causationId: _k, ...uncaused } = valid;
const corruptions: readonly { readonly what: string; readonly column: 'data' | 'metadata'; readonly value: string; readonly reason: RegExp }[] = [
  { what: 'data that is not JSON', column: 'data', value: '{"cut": ', reason: /data is not valid JSON/ },
  { what: 'metadata that is not JSON', column: 'metadata', value: 'nonsense', reason: /metadata is not valid JSON/ },
  { what: 'metadata whose eventId is not a UUID', column: 'metadata', value: '{"eventId": "x"}', reason: /metadata\.eventId "x" is not a UUID/ },
  { what: 'metadata without correlationId and causationId (as an old import wrote them)', column: 'metadata', value: JSON.stringify(uncaused), reason: /metadata\.correlationId is missing/ },
  { what: 'metadata with schemaVersion 0', column: 'metadata', value: JSON.stringify({ ...valid, schemaVersion: 0 }), reason: /metadata\.schemaVersion 0 is not a whole number/ },
  { what: 'metadata that is JSON null', column: 'metadata', value: 'null', reason: /metadata is null, not an object/ },
];

describe.skipIf(!postgresAvailable)('PostgreSQL rows corrupted by hand', () => {
  let schema: string;
  let store: PostgresEventStore;
  beforeEach(async () => {
    schema = uniqueSchema('corrupt');
    store = await openStore(schema);
  });
  afterEach(async () => {
    await store.close();
    await dropSchema(schema);
  });

  const overwrite = async (column: 'data' | 'metadata', value: string, streamId: string, revision: bigint) => {
    const client = await rawClient();
    try {
      await client.query(`update "${schema}".events set ${column} = $1 where stream_id = $2 and stream_revision = $3`, [value, streamId, revision.toString()]);
    } finally {
      await client.end();
    }
  };

  for (const corruption of corruptions) {
    it(`${corruption.what}: CorruptEventError names the row in readAll and readStream, subscriptions deliver it in its place; the rest stays readable`, async () => {
      await store.appendToStream('s', [newEvent('A', { i: 0 }), newEvent('A', { i: 1 }), newEvent('A', { i: 2 })]);
      await store.appendToStream('other', [newEvent('B', {})]);
      const bad = (await collect(store.readStream('s')))[1]!;
      await overwrite(corruption.column, corruption.value, 's', 1n);

      const read: RecordedEvent[] = [];
      const error = await (async () => {
        for await (const event of store.readAll()) read.push(event);
      })().then(() => undefined, (e: unknown) => e);
      expect(read.map((e) => e.data)).toEqual([{ i: 0 }]);
      expect(error).toBeInstanceOf(CorruptEventError);
      expect(error).toMatchObject({ streamId: 's', streamRevision: 1n, position: formatPosition(bad.position) });
      expect((error as Error).message).toMatch(corruption.reason);

      await expect(collect(store.readStream('s', { fromRevision: 1n, maxCount: 1 }))).rejects.toBeInstanceOf(CorruptEventError);
      const subscription = store.subscribe();
      const messages = await messagesUntil(subscription[Symbol.asyncIterator](), (m) => m.kind === 'caughtUp');
      await subscription.close();
      expect(messages.map((m) => (m.kind === 'event' ? `event ${m.event.type}` : m.kind))).toEqual(['event A', 'unreadable', 'event A', 'event B', 'caughtUp']);
      const unreadable = messages[1]!;
      if (unreadable.kind !== 'unreadable') throw new Error('expected the corrupt row as an unreadable message');
      expect(unreadable.event).toMatchObject({ streamId: 's', streamRevision: 1n, position: bad.position, type: 'A' });
      expect(unreadable.event.error).toBeInstanceOf(CorruptEventError);
      expect(unreadable.event.error.message).toMatch(corruption.reason);
      expect((await collect(store.readAll({ after: bad.position }))).map((e) => e.type)).toEqual(['A', 'B']);
      expect((await collect(store.readStream('s', { direction: 'backwards', maxCount: 1 })))[0]!.data).toEqual({ i: 2 });
      // A filter that excludes the bad row's type reads past it without decoding it, and never delivers it.
      expect((await collect(store.readAll({ filter: { eventTypes: ['B'] } }))).length).toBe(1);
      const others = store.subscribe({ filter: { eventTypes: ['B'] } });
      const otherMessages = await messagesUntil(others[Symbol.asyncIterator](), (m) => m.kind === 'caughtUp');
      await others.close();
      expect(otherMessages.filter((m) => m.kind !== 'checkpoint').map((m) => m.kind)).toEqual(['event', 'caughtUp']);
    });
  }
});
