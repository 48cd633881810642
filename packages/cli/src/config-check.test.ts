import { describe, expect, it } from 'vitest';
import { ConfigError } from './cli-errors.js';
import { checkConfig, configExport } from './config-check.js';
import { defineConfig } from './config.js';
import { openOrdersProjection, orderEvents } from './orders.test-helper.js';

const source = '/app/clusterconf.config.ts';
const good = defineConfig({ registry: orderEvents, projections: [openOrdersProjection] });

/** The one-line message `checkConfig` refuses `value` with. */
const refusal = (value: unknown): string => {
  try {
    checkConfig(value, source);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as Error).message;
  }
  throw new Error('checkConfig accepted it');
};

describe('checkConfig', () => {
  it('accepts a config, with or without a store URL and an opener', () => {
    expect(checkConfig(good, source)).toBe(good);
    const withStores = { ...good, store: 'sqlite:orders.sqlite', openStores: async () => { throw new Error('unused'); } };
    expect(checkConfig(withStores, source)).toBe(withStores);
  });

  it.each<[string, unknown, string]>([
    ['no default export', undefined, 'it has no default export; end it with `export default defineConfig({ registry, projections })`'],
    ['a function', () => good, 'its default export is a function, not a config'],
    ['an array', [good], 'its default export is an array, not a config'],
    ['a missing registry', { projections: [openOrdersProjection] }, '"registry" is missing; build it with createEventRegistry([...]) of @clusterconf/domain'],
    ['a registry of another shape', { ...good, registry: { types: ['OrderPlaced'] } }, '"registry" is an object, not an event registry'],
    ['missing projections', { registry: orderEvents }, '"projections" is missing; give a list of at least one projection'],
    ['no projections', { ...good, projections: [] }, '"projections" is empty'],
    ['a projection of another shape', { ...good, projections: [openOrdersProjection, { name: 'x' }] }, 'projections[1] is an object, not a projection'],
    ['two projections of one name', { ...good, projections: [openOrdersProjection, openOrdersProjection] }, 'two projections are named "open_orders"'],
    ['a type the registry does not know', { ...good, projections: [{ ...openOrdersProjection, eventTypes: ['OrderPaid'] }] },
      'projection "open_orders" handles "OrderPaid", which the registry does not know (it knows OrderPlaced, OrderShipped)'],
    ['a misspelt key', { ...good, projection: [] }, 'unknown key "projection"; a config takes registry, projections, store, keys, openStores, schemaSnapshot'],
    ['an empty store URL', { ...good, store: ' ' }, '"store" is string " "; give a store URL such as "sqlite:data/events.sqlite", or leave it out'],
    ['an opener that is no function', { ...good, openStores: 'sqlite:x' }, '"openStores" is string "sqlite:x"; give a function'],
    ['a schema snapshot path that is no path', { ...good, schemaSnapshot: 3 }, '"schemaSnapshot" is number 3; give the path of the event schema snapshot file'],
  ])('refuses %s, naming the file and what to do', (_label, value, problem) => {
    const message = refusal(value);
    expect(message.startsWith(`${source}: `)).toBe(true);
    expect(message).toContain(problem);
    expect(message).not.toContain('\n');
  });
});

describe('configExport', () => {
  it('is the default export, or the default of a config compiled to CommonJS', () => {
    expect(configExport({ default: good })).toBe(good);
    expect(configExport({ default: { default: good } })).toBe(good);
    expect(configExport({ other: good })).toBeUndefined();
  });
});
