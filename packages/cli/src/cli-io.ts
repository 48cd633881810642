import type { EventStore } from '@clusterconf/domain';
import { openEventStore, type OpenMode } from './open-store.js';
import { parseStoreUrl, type StoreUrl } from './store-url.js';

/** Where a command writes: results to `out`, progress and notes to `err`. Tests hand in their own. */
export interface CliIo {
  readonly out: NodeJS.WritableStream & { isTTY?: boolean };
  readonly err: NodeJS.WritableStream & { isTTY?: boolean };
  readonly cwd: string;
  readonly env: NodeJS.ProcessEnv;
}

/** The store used when neither `--store` nor `CLUSTERCONF_STORE` is given: the file `npm start` writes. */
export const DEFAULT_STORE = 'sqlite:data/ecc2020.sqlite';

/** Writes one line to a stream. */
export const println = (stream: NodeJS.WritableStream, line = ''): void => {
  stream.write(`${line}\n`);
};

/** Resolves `--store`, falling back to `CLUSTERCONF_STORE`, then `DEFAULT_STORE`. */
export const resolveStoreUrl = (io: CliIo, option: string | undefined): StoreUrl =>
  parseStoreUrl(option ?? io.env.CLUSTERCONF_STORE ?? DEFAULT_STORE, io.cwd);

/** Opens the store, runs `work`, and closes the store whatever happens. */
export const withEventStore = async <T>(url: StoreUrl, mode: OpenMode, work: (store: EventStore) => Promise<T>): Promise<T> => {
  const store = await openEventStore(url, { mode });
  try {
    return await work(store);
  } finally {
    await store.close();
  }
};

/** Seconds since `startedAt` (a `performance.now()`), to the millisecond, for JSON summaries. */
export const elapsedSeconds = (startedAt: number): number => Number(((performance.now() - startedAt) / 1000).toFixed(3));

/** A short duration for summary lines. */
export const seconds = (startedAt: number): string => `${((performance.now() - startedAt) / 1000).toFixed(1)} s`;
