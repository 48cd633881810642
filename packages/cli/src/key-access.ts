import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import type { DomainEvent, EventRegistry, EventStore, KeyStore } from '@clusterconf/domain';
import { UsageError } from './cli-errors.js';
import type { CliIo } from './cli-io.js';
import { parseStoreUrl, type StoreUrl } from './store-url.js';

/** Where the CLI finds subjects' keys, decided by `--keys`, `CLUSTERCONF_KEYS`, the config's `keys`, or the store. */
export interface KeyAccess {
  /** The key store's URL in messages, or `undefined` when none can be had (an EventStoreDB store without `--keys`). */
  readonly display: string | undefined;
  /**
   * Opens the key store. With `events` given (the store just opened), a key store in the same SQLite file shares
   * its connection. Throws a `UsageError` saying how to name one when there is none.
   */
  open(events?: EventStore): Promise<KeyStore>;
}

/** Whether any event type of the registry has `personal` fields (registries made before them have none). */
export const holdsPersonalData = (registry: EventRegistry<DomainEvent>): boolean =>
  typeof registry.personalFields === 'function' && registry.types.some((type) => registry.personalFields(type).length > 0);

const NO_KEYS = 'the keys of personal data cannot live in EventStoreDB; name a key store with --keys sqlite:PATH or ' +
  '--keys postgres://USER@HOST:5432/DB?schema=NAME (or CLUSTERCONF_KEYS, or "keys" in the config)';

/**
 * The key store of a command: `--keys URL`, else `CLUSTERCONF_KEYS`, else the config's `keys`, else the event store's
 * own URL for SQLite (the keys in their own tables in the same file) and PostgreSQL (in the same schema). Keys may be
 * kept apart, in a file or database of their own, by naming it: then a copy of the log alone holds no key.
 */
export const keyAccess = (io: Pick<CliIo, 'env' | 'cwd'>, option: string | undefined, configured: string | undefined, storeUrl: string | undefined): KeyAccess => {
  const named = option ?? io.env.CLUSTERCONF_KEYS ?? configured;
  // Parsed when used, so a command that needs no keys never fails on them.
  const url = (): StoreUrl | undefined => {
    const text = named ?? storeUrl;
    return text === undefined ? undefined : parseStoreUrl(text, io.cwd);
  };
  return {
    get display() {
      const parsed = url();
      return parsed?.kind === 'esdb' ? undefined : parsed?.display;
    },
    async open(events) {
      const usable = url();
      if (usable?.kind === 'esdb') throw new UsageError(`Keys at ${usable.display}: ${NO_KEYS}`);
      if (usable === undefined) throw new UsageError(`No key store: ${NO_KEYS}`);
      switch (usable.kind) {
        case 'sqlite': {
          const { SqliteEventStore, SqliteKeyStore } = await import('@clusterconf/adapters/sqlite');
          if (events instanceof SqliteEventStore && events.database.name === usable.path) return SqliteKeyStore.open({ database: events.database });
          if (usable.path !== ':memory:') mkdirSync(dirname(usable.path), { recursive: true });
          return SqliteKeyStore.open({ path: usable.path });
        }
        case 'postgres': {
          const { PostgresKeyStore } = await import('@clusterconf/adapters/postgres');
          return PostgresKeyStore.open({
            connectionString: usable.connectionString,
            ...(usable.schema === undefined ? {} : { schema: usable.schema }),
            connectionTimeoutMillis: 5000,
            poolSize: 2,
          });
        }
      }
    },
  };
};

/**
 * A key store opened on first use: reading a history with no sealed values (one written before its fields were
 * marked personal, or a domain without personal data) never opens, creates or touches one.
 */
export const lazyKeyStore = (open: () => Promise<KeyStore>): KeyStore => {
  let opened: Promise<KeyStore> | undefined;
  const store = () => (opened ??= open());
  return {
    loadKeys: async (subjects) => (await store()).loadKeys(subjects),
    createKeys: async (candidates, createdAt) => (await store()).createKeys(candidates, createdAt),
    forget: async (subject, at) => (await store()).forget(subject, at),
    exportKeys: async function* () {
      yield* (await store()).exportKeys();
    },
    importKeys: async (records) => (await store()).importKeys(records),
    close: async () => {
      // A key store that failed to open has nothing to close; its error was thrown where it was used.
      const store = await opened?.catch(() => undefined);
      await store?.close();
    },
  };
};

/** An event store seen through the personal-data layer, and how to close the key store it opened (if any). */
export interface RevealedStore {
  readonly events: EventStore;
  /** Closes the key store, if one was opened; the event store stays the caller's to close. */
  readonly closeKeys: () => Promise<void>;
}

/**
 * The event store with its personal data opened on reads and sealed on writes, when the registry has personal
 * fields; the store as it is otherwise. The key store opens on first use (see `lazyKeyStore`).
 */
export const revealedStore = async (events: EventStore, registry: EventRegistry<DomainEvent>, keys: KeyAccess): Promise<RevealedStore> => {
  if (!holdsPersonalData(registry)) return { events, closeKeys: async () => undefined };
  const { withPersonalData } = await import('@clusterconf/adapters/personal-data');
  const keyStore = lazyKeyStore(() => keys.open(events));
  return { events: withPersonalData(events, { keyStore, registry }), closeKeys: () => keyStore.close() };
};

/** Runs `work` on the revealed store and closes its key store after, whatever happens. */
export const withRevealedStore = async <T>(events: EventStore, registry: EventRegistry<DomainEvent>, keys: KeyAccess, work: (events: EventStore) => Promise<T>): Promise<T> => {
  const revealed = await revealedStore(events, registry, keys);
  try {
    return await work(revealed.events);
  } finally {
    await revealed.closeKeys();
  }
};
