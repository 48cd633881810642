import type { DomainEvent, EventRegistry } from '@clusterconf/domain';
import type { Projection } from '@clusterconf/projections';
import type { OpenedStores, OpenMode } from './open-store.js';

/** What a command asks for when it opens the stores through a config's `openStores`. */
export interface StoreRequest {
  /** `--store`, else `CLUSTERCONF_STORE`, else the config's `store`; `undefined` when none is given. */
  readonly url: string | undefined;
  /** `read`: the command only reads, and must not create a store that is not there; `create`: it may create one. */
  readonly mode: OpenMode;
  /** The working directory, against which relative paths are resolved. */
  readonly cwd: string;
}

/** What a config's `openStores` returns: the stores, and optionally how to name them in messages. */
export interface ConfiguredStores extends OpenedStores {
  /** The store in messages, e.g. `orders database`; never include a password. Default: the store URL, masked. */
  readonly display?: string;
}

/**
 * What `clusterconf.config.ts` (or `.mts`, `.js`, `.mjs`) exports by default: the domain the `status`, `replay`,
 * `rebuild`, `export`, `import`, `tail` and `schema check` commands work on.
 */
export interface ClusterconfConfig<Event extends DomainEvent = DomainEvent> {
  /** Decodes stored events for the projections (`createEventRegistry` of @clusterconf/domain). */
  readonly registry: EventRegistry<Event>;
  /** The read models `status`, `replay` and `rebuild` run, in this order (`defineProjection` of @clusterconf/projections). */
  readonly projections: readonly Projection<Event>[];
  /**
   * The store URL used when neither `--store` nor `CLUSTERCONF_STORE` is given, e.g. `sqlite:data/orders.sqlite`
   * (relative to the working directory). Without it, and without `openStores`, a command needs `--store`.
   */
  readonly store?: string;
  /**
   * Where the keys of the registry's personal data live, when not beside the events (the default for `sqlite:` and
   * `postgres://` stores): a `sqlite:PATH` or `postgres://…` URL; `--keys` and `CLUSTERCONF_KEYS` take precedence.
   */
  readonly keys?: string;
  /**
   * Opens the event store and its read-model store, in place of the built-in `--store` URL schemes (`sqlite:`,
   * `postgres://`, `esdb://`, `kurrentdb://`); `request.url` is the URL given, if any. Commands that only read the log (export,
   * import, tail) use the event store alone and close both.
   */
  readonly openStores?: (request: StoreRequest) => Promise<ConfiguredStores>;
  /**
   * The committed event schema snapshot `clusterconf schema check` holds the registry's codecs to, relative to the
   * config file's folder. Default: `event-schemas.snapshot.json` beside the config file.
   */
  readonly schemaSnapshot?: string;
}

/**
 * Types a clusterconf config: `export default defineConfig({ registry, projections })`. It returns its argument;
 * the CLI checks what it loads either way, so a plain object works from JavaScript too.
 */
export const defineConfig = <Event extends DomainEvent>(config: ClusterconfConfig<Event>): ClusterconfConfig<Event> => config;
