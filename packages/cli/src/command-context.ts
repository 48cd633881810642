import type { Command } from 'commander';
import { type CliIo, println } from './cli-io.js';
import { type LoadedConfig, resolveConfig } from './config-file.js';
import { createProgress, type Progress } from './progress.js';
import { progressWanted } from './progress-line.js';
import { keyAccess, type KeyAccess } from './key-access.js';
import { requestedStoreUrl, storeAccess, type StoreAccess } from './store-access.js';

/** The options of the program every command sees: `--config`, `--progress` / `--no-progress`, `--verbose`. */
export interface GlobalOptions {
  readonly config?: string;
  readonly progress?: boolean;
  readonly verbose?: boolean;
  readonly json?: boolean;
  readonly store?: string;
  readonly keys?: string;
}

/** What a command's action works with, from its options and the program's. */
export interface CommandContext {
  readonly io: CliIo;
  /** `--json`: print data as JSON (one object, or one per line for `tail`) and draw no progress unless forced. */
  readonly json: boolean;
  /** The config (`--config`, ./clusterconf.config.*, or the built-in ecc2020) and the way it opens stores. */
  load(): Promise<{ readonly loaded: LoadedConfig; readonly stores: StoreAccess; readonly keys: KeyAccess }>;
  /** Progress on stderr, drawn as `progressWanted` decides. */
  progress(label: string, unit?: string): Progress;
}

/** The context of the command running `action`; `command` is the last argument commander passes to it. */
export const commandContext = (io: CliIo, command: Command): CommandContext => {
  const options = command.optsWithGlobals<GlobalOptions>();
  const json = options.json === true;
  const enabled = progressWanted({ flag: options.progress, json, isTTY: io.err.isTTY === true, ci: io.env.CI !== undefined });
  return {
    io,
    json,
    async load() {
      const loaded = await resolveConfig(io.cwd, options.config);
      if (options.verbose) println(io.err, `config: ${loaded.source}`);
      const keys = keyAccess(io, options.keys, loaded.config.keys, requestedStoreUrl(io, options.store, loaded.config));
      return { loaded, stores: storeAccess(io, options.store, loaded.config, loaded.source), keys };
    },
    progress: (label, unit) => createProgress({ label, stream: io.err, enabled, ...(unit === undefined ? {} : { unit }) }),
  };
};

/** Writes `value` as one line of JSON: bigints as strings (positions, revisions). */
export const printJson = (stream: NodeJS.WritableStream, value: unknown): void => {
  stream.write(`${JSON.stringify(value, (_key, v: unknown) => (typeof v === 'bigint' ? v.toString() : v))}\n`);
};
