import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { ConfigError, MissingFileError } from './cli-errors.js';
import { CONFIG_FILE_NAMES, defaultConfig, findConfigFile, loadConfigFile, resolveConfig, typeScriptLoader } from './config-file.js';

const repoNodeModules = fileURLToPath(new URL('../../../node_modules', import.meta.url));

/** A user's project: a folder whose node_modules is the repository's, so a config there imports @clusterconf/*. */
const project = (): string => {
  const dir = mkdtempSync(join(tmpdir(), 'clusterconf-config-'));
  symlinkSync(repoNodeModules, join(dir, 'node_modules'), 'dir');
  return dir;
};

const ordersConfig = (extra = '') => `
import * as t from 'io-ts';
import { defineConfig } from '@clusterconf/cli';
import { createEventRegistry, defineEvent } from '@clusterconf/domain';
import { defineProjection } from '@clusterconf/projections';
const Placed = defineEvent('Placed', t.type({ id: t.string }));
const registry = createEventRegistry([Placed]);
export default defineConfig({
  registry,
  projections: [defineProjection(registry, { name: 'placed', version: 1, handlers: { Placed: (e, ops) => ops.upsert('orders', e.data.id, {}) } })],
  ${extra}
});
`;

describe('finding and loading a config', () => {
  const dirs: string[] = [];
  const newProject = () => {
    const dir = project();
    dirs.push(dir);
    return dir;
  };
  afterAll(() => {
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  });

  it('finds the JavaScript config before the TypeScript one, and none in a folder without one', () => {
    const dir = newProject();
    expect(findConfigFile(dir)).toBeUndefined();
    writeFileSync(join(dir, 'clusterconf.config.mts'), '');
    expect(findConfigFile(dir)).toBe(join(dir, 'clusterconf.config.mts'));
    writeFileSync(join(dir, 'clusterconf.config.ts'), '');
    expect(findConfigFile(dir)).toBe(join(dir, 'clusterconf.config.ts'));
    writeFileSync(join(dir, 'clusterconf.config.js'), '');
    expect(findConfigFile(dir)).toBe(join(dir, 'clusterconf.config.js'));
    expect(CONFIG_FILE_NAMES[0]).toBe('clusterconf.config.js');
  });

  it('uses the built-in ecc2020 config when there is no config and no --config', async () => {
    const loaded = await resolveConfig(newProject(), undefined);
    expect(loaded).toBe(defaultConfig);
    expect(loaded.config.projections.map((p) => p.name)).toEqual(['attendance', 'agenda', 'ballot_tallies', 'award_roll', 'alliance_roster', 'attendee_directory']);
    expect(loaded.config.store).toBe('sqlite:data/ecc2020.sqlite');
  });

  it.each(['clusterconf.config.ts', 'clusterconf.config.mts', 'clusterconf.config.mjs'])('loads %s from the working directory', async (name) => {
    const dir = newProject();
    writeFileSync(join(dir, name), ordersConfig("store: 'sqlite:orders.sqlite',"));
    const loaded = await resolveConfig(dir, undefined);
    expect(loaded.source).toBe(join(dir, name));
    expect(loaded.config.projections.map((p) => p.name)).toEqual(['placed']);
    expect(loaded.config.registry.types).toEqual(['Placed']);
    expect(loaded.config.store).toBe('sqlite:orders.sqlite');
  });

  it('loads --config relative to the working directory', async () => {
    const dir = newProject();
    mkdirSync(join(dir, 'config'));
    writeFileSync(join(dir, 'config', 'orders.config.mts'), ordersConfig());
    expect((await resolveConfig(dir, 'config/orders.config.mts')).source).toBe(join(dir, 'config', 'orders.config.mts'));
  });

  it('says what is wrong with a config that is missing, of another kind, broken, or not a config', async () => {
    const dir = newProject();
    await expect(resolveConfig(dir, 'nope.config.ts')).rejects.toBeInstanceOf(MissingFileError);
    await expect(resolveConfig(dir, 'nope.config.ts')).rejects.toThrow(`No such file: ${join(dir, 'nope.config.ts')}: check the --config path`);
    writeFileSync(join(dir, 'config.json'), '{}');
    await expect(resolveConfig(dir, 'config.json')).rejects.toThrow(`${join(dir, 'config.json')}: a config is a .ts, .mts, .js or .mjs module, not ".json"`);
    writeFileSync(join(dir, 'throws.mjs'), 'throw new Error("no database configured");');
    await expect(resolveConfig(dir, 'throws.mjs')).rejects.toThrow(`Cannot load the config ${join(dir, 'throws.mjs')}: no database configured`);
    writeFileSync(join(dir, 'empty.mjs'), 'export const registry = 1;');
    await expect(resolveConfig(dir, 'empty.mjs')).rejects.toThrow(`${join(dir, 'empty.mjs')}: it has no default export`);
    await expect(loadConfigFile(dir)).rejects.toThrow(/is not a file/);
  });
});

describe('the TypeScript loader', () => {
  const notFound = Object.assign(new Error("Cannot find package 'tsx' imported from /app/node_modules/@clusterconf/cli/dist/config-file.js"), { code: 'ERR_MODULE_NOT_FOUND' });

  it('says to install tsx or compile the config when tsx is not installed', async () => {
    const load = typeScriptLoader('/app/clusterconf.config.ts', { importTsx: () => Promise.reject(notFound), loadsTypeScript: false });
    const error = await load().catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as Error).message).toBe('/app/clusterconf.config.ts is TypeScript, which needs tsx to load: install tsx (npm install --save-dev tsx), ' +
      'or compile the config to JavaScript (clusterconf.config.js beside it) and use that');
  });

  it('reports any other failure to load tsx as it is', async () => {
    const broken = Object.assign(new Error("Cannot find package 'esbuild' imported from /app/node_modules/tsx/dist/index.mjs"), { code: 'ERR_MODULE_NOT_FOUND' });
    await expect(typeScriptLoader('/app/c.ts', { importTsx: () => Promise.reject(broken), loadsTypeScript: false })()).rejects.toBe(broken);
  });

  it('registers nothing when TypeScript loads already, and tsx once otherwise', async () => {
    const register = vi.fn();
    await typeScriptLoader('/app/c.ts', { importTsx: () => Promise.reject(notFound), loadsTypeScript: true })();
    const load = typeScriptLoader('/app/c.ts', { importTsx: async () => ({ register }), loadsTypeScript: false });
    await load();
    await load();
    expect(register).toHaveBeenCalledTimes(1);
  });
});
