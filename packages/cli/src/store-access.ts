import type { EventStore } from '@clusterconf/domain';
import { UsageError } from './cli-errors.js';
import type { CliIo } from './cli-io.js';
import type { ClusterconfConfig, StoreRequest } from './config.js';
import { openEventStore, openStores, type OpenedStores, type OpenMode } from './open-store.js';
import { maskPassword, parseStoreUrl, type StoreUrl } from './store-url.js';

/** Stores opened for a command, named for its messages. */
export interface NamedStores extends OpenedStores {
  /** The store in messages: its URL with any password masked, or what the config's `openStores` says. */
  readonly display: string;
  /** What log positions count, for progress: events on SQL stores, bytes of the log on EventStoreDB. */
  readonly positionUnit: 'events' | 'log bytes' | 'positions';
}

/** An event store opened for a command that needs no read models (export, import, tail). */
export interface NamedEventStore {
  readonly events: EventStore;
  readonly display: string;
  close(): Promise<void>;
}

/** How a command opens its stores, decided by the config and the `--store` option. */
export interface StoreAccess {
  /** The event store with its read-model store (status, replay, rebuild). */
  openStores(mode: OpenMode): Promise<NamedStores>;
  /** The event store alone (export, import, tail); a config's `openStores` opens both and this closes both. */
  openEventStore(mode: OpenMode): Promise<NamedEventStore>;
}

/** The store URL a command uses: `--store`, else `CLUSTERCONF_STORE`, else the config's `store`. */
export const requestedStoreUrl = (io: CliIo, option: string | undefined, config: ClusterconfConfig): string | undefined =>
  option ?? io.env.CLUSTERCONF_STORE ?? config.store;

/** SQL stores number positions by event; EventStoreDB's positions are byte offsets in its log. */
const sequencePositions = (url: StoreUrl): boolean => url.kind === 'sqlite' || url.kind === 'postgres';

const noStoreGiven = (source: string): UsageError =>
  new UsageError(`No store given: pass --store URL (e.g. --store sqlite:data/events.sqlite), set CLUSTERCONF_STORE, or set "store" in ${source}`);

/**
 * Opens stores as `config` says: through its `openStores` when it has one, else from the store URL with the
 * built-in schemes (sqlite:, postgres://, esdb://, kurrentdb://), opening read models only for commands that use them.
 */
export const storeAccess = (io: CliIo, option: string | undefined, config: ClusterconfConfig, source: string): StoreAccess => {
  const url = requestedStoreUrl(io, option, config);
  const custom = config.openStores;
  if (custom !== undefined) {
    const open = async (mode: OpenMode): Promise<NamedStores> => {
      const request: StoreRequest = { url, mode, cwd: io.cwd };
      const stores = await custom(request);
      const display = maskPassword(stores.display ?? url ?? `the store of ${source}`);
      const { events, readModels, durableReadModels } = stores;
      // What a store of the config's own counts in its positions is not known; "positions" claims nothing.
      return { events, readModels, durableReadModels, close: () => stores.close(), display, positionUnit: 'positions' };
    };
    return { openStores: open, openEventStore: open };
  }
  const parsed = () => {
    if (url === undefined) throw noStoreGiven(source);
    return parseStoreUrl(url, io.cwd);
  };
  return {
    async openStores(mode) {
      const storeUrl = parsed();
      const stores = await openStores(storeUrl, { mode });
      const { events, readModels, durableReadModels } = stores;
      return {
        events, readModels, durableReadModels, close: () => stores.close(),
        display: storeUrl.display, positionUnit: sequencePositions(storeUrl) ? 'events' : 'log bytes',
      };
    },
    async openEventStore(mode) {
      const storeUrl = parsed();
      const events = await openEventStore(storeUrl, { mode });
      return { events, display: storeUrl.display, close: () => events.close() };
    },
  };
};

/** Opens the event store, runs `work`, and closes it whatever happens. */
export const withNamedEventStore = async <T>(access: StoreAccess, mode: OpenMode, work: (store: NamedEventStore) => Promise<T>): Promise<T> => {
  const store = await access.openEventStore(mode);
  try {
    return await work(store);
  } finally {
    await store.close();
  }
};
