import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { EventStore, KeyStore } from '@clusterconf/domain';
import { conferenceEvents } from '@clusterconf/domain';
import { MemoryEventStore } from '@clusterconf/adapters/memory';
import { MemoryKeyStore, withPersonalData } from '@clusterconf/adapters/personal-data';
import { PostgresEventStore, PostgresKeyStore } from '@clusterconf/adapters/postgres';
import { SqliteEventStore, SqliteKeyStore } from '@clusterconf/adapters/sqlite';
import { dropSchema, postgresAvailable, postgresUrl, uniqueSchema } from '../support/postgres.js';

/** An event store as stored (`raw`: ciphertext), its key store, and the store that seals and opens (`store`). */
export interface PersonalDataBackend {
  readonly raw: EventStore;
  readonly keys: KeyStore;
  readonly store: EventStore;
  /** Another writer over the same storage: the events through another connection, with a key store of its own. */
  readonly writer: () => Promise<EventStore>;
  readonly cleanup: () => Promise<void>;
}

/** Opens a fresh backend of one kind. */
export type OpenBackend = () => Promise<PersonalDataBackend>;

const wrap = (raw: EventStore, keys: KeyStore, writer: () => Promise<EventStore>, cleanup: () => Promise<void>): PersonalDataBackend => ({
  raw, keys, store: withPersonalData(raw, { keyStore: keys, registry: conferenceEvents }), writer, cleanup,
});

/** Opens writers, and closes them (key store first) when asked. */
const writers = () => {
  const opened: (() => Promise<void>)[] = [];
  return {
    add: (events: EventStore, keys: KeyStore): EventStore => {
      opened.push(async () => {
        await keys.close();
        await events.close();
      });
      return withPersonalData(events, { keyStore: keys, registry: conferenceEvents });
    },
    close: async () => {
      for (const close of opened) await close();
    },
  };
};

/** Memory, SQLite (the keys in the event store's file) and, when reachable, PostgreSQL (the keys in the events' schema). */
export const backends: readonly (readonly [string, OpenBackend])[] = [
  ['memory', async () => {
    const raw = new MemoryEventStore();
    const keys = new MemoryKeyStore();
    // One process: other writers share the store and the key store.
    return wrap(raw, keys, async () => withPersonalData(raw, { keyStore: keys, registry: conferenceEvents }), async () => {
      await raw.close();
      await keys.close();
    });
  }],
  ['SQLite', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'clusterconf-personal-'));
    const path = join(dir, 'events.sqlite');
    const raw = await SqliteEventStore.open({ path, pollIntervalMs: 20 });
    const keys = await SqliteKeyStore.open({ database: raw.database });
    const others = writers();
    const writer = async () => {
      const events = await SqliteEventStore.open({ path });
      return others.add(events, await SqliteKeyStore.open({ path }));
    };
    return wrap(raw, keys, writer, async () => {
      await others.close();
      await keys.close();
      await raw.close();
      rmSync(dir, { recursive: true, force: true });
    });
  }],
  ...(postgresAvailable
    ? [['PostgreSQL', async () => {
      const schema = uniqueSchema('personal');
      const raw = await PostgresEventStore.open({ connectionString: postgresUrl, schema, pollIntervalMs: 50, poolSize: 3 });
      const keys = await PostgresKeyStore.open({ connectionString: postgresUrl, schema, poolSize: 2 });
      const others = writers();
      const writer = async () => {
        const events = await PostgresEventStore.open({ connectionString: postgresUrl, schema, poolSize: 1 });
        return others.add(events, await PostgresKeyStore.open({ connectionString: postgresUrl, schema, poolSize: 1 }));
      };
      return wrap(raw, keys, writer, async () => {
        await others.close();
        await keys.close();
        await raw.close();
        await dropSchema(schema);
      });
    }] as const]
    : []),
];
