import { existsSync, mkdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { basename, dirname, isAbsolute, join, resolve } from 'node:path';
import {
  type AnyEventDefinition, type EventSchemaSnapshot, formatEventSchemaSnapshot, parseEventSchemaSnapshot,
} from '@clusterconf/domain';
import { ConfigError } from './cli-errors.js';
import type { LoadedConfig } from './config-file.js';

/** The snapshot's file name when a config names none, beside the config file. */
export const DEFAULT_SCHEMA_SNAPSHOT = 'event-schemas.snapshot.json';

/** The snapshot a config names (`schemaSnapshot`, relative to the config file's folder), or the default beside it. */
export const schemaSnapshotPath = (loaded: LoadedConfig, cwd: string): string =>
  resolve(isAbsolute(loaded.source) ? dirname(loaded.source) : cwd, loaded.config.schemaSnapshot ?? DEFAULT_SCHEMA_SNAPSHOT);

/** The event definitions of the config's registry, which the snapshot describes. */
export const registryDefinitions = (loaded: LoadedConfig): readonly AnyEventDefinition[] => {
  const definitions = (loaded.config.registry as { definitions?: unknown }).definitions;
  if (!Array.isArray(definitions)) {
    throw new ConfigError(`${loaded.source}: the registry lists no event definitions (registry.definitions), which the schema check ` +
      'describes; build it with createEventRegistry([...]) of @clusterconf/domain');
  }
  return definitions as readonly AnyEventDefinition[];
};

/** The snapshot at `path`, or `undefined` when there is no file yet. */
export const readSchemaSnapshot = (path: string): EventSchemaSnapshot | undefined => {
  if (!existsSync(path)) return undefined;
  if (!statSync(path).isFile()) throw new ConfigError(`${path} is not a file; the event schema snapshot is a JSON file`);
  return parseEventSchemaSnapshot(readFileSync(path, 'utf8'), path);
};

/**
 * Writes `snapshot` to `path` through a file beside it renamed into place, so an interrupted write leaves the
 * recorded snapshot whole. Returns whether the text changed.
 */
export const writeSchemaSnapshot = (path: string, snapshot: EventSchemaSnapshot): boolean => {
  const text = formatEventSchemaSnapshot(snapshot);
  if (existsSync(path) && readFileSync(path, 'utf8') === text) return false;
  mkdirSync(dirname(path), { recursive: true });
  const partial = join(dirname(path), `.${basename(path)}.partial-${process.pid}`);
  writeFileSync(partial, text);
  renameSync(partial, path);
  return true;
};
