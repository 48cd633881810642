import type { DomainEvent } from '@clusterconf/domain';
import { ConfigError } from './cli-errors.js';
import type { ClusterconfConfig } from './config.js';

const KEYS = ['registry', 'projections', 'store', 'keys', 'openStores', 'schemaSnapshot'] as const;
const REGISTRY_METHODS = ['has', 'encode', 'decode', 'decodeData', 'acceptsAsStored'] as const;

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null;

const describe = (value: unknown): string =>
  value === null ? 'null' : Array.isArray(value) ? 'an array' : typeof value === 'object' ? 'an object' : typeof value === 'function' ? 'a function' : `${typeof value} ${JSON.stringify(value)}`;

/**
 * The config a module exports: its default export, or, for a config compiled to CommonJS (a `.ts` config in a package
 * without `"type": "module"`), the `default` of that.
 */
export const configExport = (module: Record<string, unknown>): unknown => {
  const value = module.default;
  return isObject(value) && !('registry' in value) && isObject(value.default) ? value.default : value;
};

/**
 * Checks that `value`, the default export of the config at `source`, is a `ClusterconfConfig`, so that a mistake
 * is reported once, naming the field, instead of failing later inside a command. Throws `ConfigError`.
 */
export const checkConfig = (value: unknown, source: string): ClusterconfConfig => {
  const fail = (problem: string): never => {
    throw new ConfigError(`${source}: ${problem}`);
  };
  if (value === undefined) fail('it has no default export; end it with `export default defineConfig({ registry, projections })`');
  if (!isObject(value) || Array.isArray(value)) return fail(`its default export is ${describe(value)}, not a config; export \`defineConfig({ registry, projections })\``);
  const unknown = Object.keys(value).filter((key) => !(KEYS as readonly string[]).includes(key));
  if (unknown.length > 0) fail(`unknown key${unknown.length === 1 ? '' : 's'} ${unknown.map((k) => `"${k}"`).join(', ')}; a config takes ${KEYS.join(', ')}`);

  const { registry, projections, store, keys, openStores, schemaSnapshot } = value;
  const missingMethod = isObject(registry) ? REGISTRY_METHODS.find((method) => typeof registry[method] !== 'function') : 'has';
  if (!isObject(registry) || !Array.isArray(registry.types) || missingMethod !== undefined) {
    fail(`"registry" is ${registry === undefined ? 'missing' : `${describe(registry)}, not an event registry`}; build it with ` +
      'createEventRegistry([...]) of @clusterconf/domain');
  }
  const known = new Set((registry as { types: readonly string[] }).types);

  if (!Array.isArray(projections) || projections.length === 0) {
    fail(`"projections" is ${projections === undefined ? 'missing' : Array.isArray(projections) ? 'empty' : describe(projections)}; give a list of ` +
      'at least one projection made with defineProjection(registry, {...}) of @clusterconf/projections');
  }
  const names = new Set<string>();
  (projections as unknown[]).forEach((projection, index) => {
    const at = `projections[${index}]`;
    if (!isObject(projection) || typeof projection.name !== 'string' || typeof projection.namespace !== 'string' ||
      !Array.isArray(projection.eventTypes) || !isObject(projection.handlers)) {
      fail(`${at} is ${describe(projection)}, not a projection; make it with defineProjection(registry, {...}) of @clusterconf/projections`);
    }
    const { name, eventTypes } = projection as { name: string; eventTypes: string[] };
    if (names.has(name)) fail(`two projections are named "${name}"; each needs its own name (it names its tables and checkpoint)`);
    names.add(name);
    const unregistered = eventTypes.find((type) => !known.has(type));
    if (unregistered !== undefined) {
      fail(`projection "${name}" handles "${unregistered}", which the registry does not know (it knows ${[...known].join(', ') || 'no types'}); ` +
        'add its event definition to the registry or remove the handler');
    }
  });

  if (store !== undefined && (typeof store !== 'string' || store.trim() === '')) {
    fail(`"store" is ${describe(store)}; give a store URL such as "sqlite:data/events.sqlite", or leave it out`);
  }
  if (keys !== undefined && (typeof keys !== 'string' || keys.trim() === '')) {
    fail(`"keys" is ${describe(keys)}; give a key store URL such as "sqlite:data/keys.sqlite", or leave it out to keep the keys beside the events`);
  }
  if (openStores !== undefined && typeof openStores !== 'function') {
    fail(`"openStores" is ${describe(openStores)}; give a function (request) => Promise<OpenedStores>, or leave it out`);
  }
  if (schemaSnapshot !== undefined && (typeof schemaSnapshot !== 'string' || schemaSnapshot.trim() === '')) {
    fail(`"schemaSnapshot" is ${describe(schemaSnapshot)}; give the path of the event schema snapshot file, relative to the config ` +
      '(e.g. "event-schemas.snapshot.json"), or leave it out for that default');
  }
  return value as unknown as ClusterconfConfig<DomainEvent>;
};
