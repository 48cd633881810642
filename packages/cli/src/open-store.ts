import { existsSync, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import type { EventStore } from '@clusterconf/domain';
import { MemoryReadModelStore, type ReadModelStore } from '@clusterconf/projections';
import { MissingFileError } from './cli-errors.js';
import type { StoreUrl } from './store-url.js';

/** Whether a command only reads the store (a missing SQLite file is then an error) or may create it. */
export type OpenMode = 'read' | 'create';

/** Options of `openEventStore`. */
export interface OpenStoreOptions {
  readonly mode: OpenMode;
  /** How long to wait for a server before reporting it unreachable; default 5000 ms. */
  readonly connectTimeoutMs?: number;
}

/** An event store with the read-model store that belongs with it. */
export interface OpenedStores {
  readonly events: EventStore;
  readonly readModels: ReadModelStore;
  /** Whether the read models outlive the process (false for EventStoreDB, whose read models are kept in memory). */
  readonly durableReadModels: boolean;
  close(): Promise<void>;
}

const checkSqliteFile = (url: Extract<StoreUrl, { kind: 'sqlite' }>, mode: OpenMode): void => {
  if (url.path === ':memory:') return;
  if (mode === 'read' && !existsSync(url.path)) {
    throw new MissingFileError(url.path, `create it first with \`clusterconf seed ecc2020 --store ${url.display}\` ` +
      `or \`clusterconf import FILE --store ${url.display}\`, or check the path`);
  }
  mkdirSync(dirname(url.path), { recursive: true });
};

/**
 * Opens the event store a `--store` URL names. Each backend's module is imported only when used, so a SQLite user
 * never loads pg or the gRPC client.
 */
export const openEventStore = async (url: StoreUrl, options: OpenStoreOptions): Promise<EventStore> => {
  switch (url.kind) {
    case 'sqlite': {
      checkSqliteFile(url, options.mode);
      const { SqliteEventStore } = await import('@clusterconf/adapters/sqlite');
      // A command that only reads leaves a file that is not an event store exactly as it found it.
      return SqliteEventStore.open({ path: url.path, existingOnly: options.mode === 'read' && url.path !== ':memory:' });
    }
    case 'postgres': {
      const { PostgresEventStore } = await import('@clusterconf/adapters/postgres');
      return PostgresEventStore.open({
        connectionString: url.connectionString,
        ...(url.schema === undefined ? {} : { schema: url.schema }),
        existingOnly: options.mode === 'read',
        connectionTimeoutMillis: options.connectTimeoutMs ?? 5000,
        poolSize: 4,
      });
    }
    case 'esdb': {
      const { EventStoreDBEventStore } = await import('@clusterconf/adapters/eventstoredb');
      // Loads the client package the scheme names (esdb:// @eventstore/db-client, kurrentdb:// @kurrent/kurrentdb-client).
      const store = await EventStoreDBEventStore.connect(url.connectionString);
      try {
        // The client connects lazily: ask for the head now, so an unreachable server fails here, in one line.
        await store.headPosition();
      } catch (error) {
        await store.close();
        throw error;
      }
      return store;
    }
  }
};

/**
 * Opens the event store and its read-model store: the same SQLite file (one connection, so documents and the log
 * share it), the same PostgreSQL database and schema, or, for EventStoreDB, read models in memory for this run.
 */
export const openStores = async (url: StoreUrl, options: OpenStoreOptions): Promise<OpenedStores> => {
  const events = await openEventStore(url, options);
  try {
    const opened = await openReadModels(url, events);
    return {
      events,
      ...opened,
      async close() {
        try {
          await opened.readModels.close();
        } finally {
          await events.close();
        }
      },
    };
  } catch (error) {
    await events.close();
    throw error;
  }
};

const openReadModels = async (url: StoreUrl, events: EventStore): Promise<{ readModels: ReadModelStore; durableReadModels: boolean }> => {
  switch (url.kind) {
    case 'sqlite': {
      const { SqliteEventStore, SqliteReadModelStore } = await import('@clusterconf/adapters/sqlite');
      const database = events instanceof SqliteEventStore ? events.database : undefined;
      const readModels = await SqliteReadModelStore.open(database === undefined ? { path: url.path } : { database });
      return { readModels, durableReadModels: url.path !== ':memory:' };
    }
    case 'postgres': {
      const { PostgresReadModelStore } = await import('@clusterconf/adapters/postgres');
      const readModels = await PostgresReadModelStore.open({
        connectionString: url.connectionString,
        ...(url.schema === undefined ? {} : { schema: url.schema }),
        connectionTimeoutMillis: 5000,
        poolSize: 4,
      });
      return { readModels, durableReadModels: true };
    }
    case 'esdb':
      return { readModels: new MemoryReadModelStore(), durableReadModels: false };
  }
};
