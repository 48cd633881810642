import { existsSync, statSync } from 'node:fs';
import { basename, extname, join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { ConfigError, describeError, MissingFileError } from './cli-errors.js';
import { checkConfig, configExport } from './config-check.js';
import type { ClusterconfConfig } from './config.js';
import ecc2020Config from './ecc2020/ecc2020.config.js';

/** The names a config is looked for under in the working directory, in this order: JavaScript needs no loader. */
export const CONFIG_FILE_NAMES = ['clusterconf.config.js', 'clusterconf.config.mjs', 'clusterconf.config.ts', 'clusterconf.config.mts'] as const;

const TYPESCRIPT = new Set(['.ts', '.mts']);
const JAVASCRIPT = new Set(['.js', '.mjs']);

/** A config and where it came from, for messages. */
export interface LoadedConfig {
  readonly config: ClusterconfConfig;
  /** The config file's absolute path, or `built-in ecc2020` for the default. */
  readonly source: string;
}

/** The built-in config: the conference events and read models (`src/ecc2020/ecc2020.config.ts`). */
export const defaultConfig: LoadedConfig = { config: ecc2020Config as unknown as ClusterconfConfig, source: 'built-in ecc2020' };

/** How a config module is imported; tests replace the TypeScript loader. */
export interface ConfigLoaders {
  /** Imports a module by file URL. */
  readonly importModule: (url: string) => Promise<Record<string, unknown>>;
  /** Makes `importModule` able to load TypeScript; default: tsx's `register()`, unless TypeScript loads already. */
  readonly enableTypeScript: () => Promise<void>;
}

/** Node's error for a package that is not installed: `Cannot find package 'tsx' imported from …`. */
const isPackageNotFound = (error: unknown, name: string): boolean =>
  (error as NodeJS.ErrnoException | undefined)?.code === 'ERR_MODULE_NOT_FOUND' && String((error as Error).message).includes(`'${name}'`);

/** Whether tsx's loader is registered in this process (registration is process-wide, once is enough). */
let tsxRegistered = false;

/** What `typeScriptLoader` needs: how to import tsx's API, and whether TypeScript loads already. */
export interface TypeScriptLoaderOptions {
  readonly importTsx: () => Promise<{ register: () => unknown }>;
  /** True when this module itself was loaded as TypeScript (tsx or vitest runs the sources): nothing to register. */
  readonly loadsTypeScript: boolean;
}

/**
 * The `enableTypeScript` of a config at `path`: registers tsx's loader (`tsx/esm/api`) once, globally, so that
 * `import()` loads TypeScript and every package the config imports is the instance the CLI itself uses. tsx is an
 * optional peer dependency; without it the error says what to do instead.
 */
export const typeScriptLoader = (path: string, options: TypeScriptLoaderOptions): (() => Promise<void>) => async () => {
  if (options.loadsTypeScript || tsxRegistered) return;
  let api: { register: () => unknown };
  try {
    api = await options.importTsx();
  } catch (error) {
    if (!isPackageNotFound(error, 'tsx')) throw error;
    throw new ConfigError(`${path} is TypeScript, which needs tsx to load: install tsx (npm install --save-dev tsx), ` +
      `or compile the config to JavaScript (${basename(path, extname(path))}.js beside it) and use that`);
  }
  api.register();
  tsxRegistered = true;
};

/**
 * tsx's ESM and CommonJS hooks, as `node --import tsx` registers them: a .ts config in a package without
 * `"type": "module"` is CommonJS to tsx, and loads only with the CommonJS hook.
 */
const importTsxHooks = async (): Promise<{ register: () => void }> => {
  const [esm, cjs] = await Promise.all([import('tsx/esm/api'), import('tsx/cjs/api')]);
  return {
    register: () => {
      esm.register();
      cjs.register();
    },
  };
};

const defaultLoaders = (path: string): ConfigLoaders => ({
  importModule: (url) => import(url) as Promise<Record<string, unknown>>,
  enableTypeScript: typeScriptLoader(path, { importTsx: importTsxHooks, loadsTypeScript: import.meta.url.endsWith('.ts') }),
});

/** The first of `CONFIG_FILE_NAMES` in `directory`, or `undefined`. */
export const findConfigFile = (directory: string): string | undefined =>
  CONFIG_FILE_NAMES.map((name) => join(directory, name)).find((path) => existsSync(path));

/** Why importing a config failed, in one line with what to do. */
const loadFailure = (path: string, error: unknown): ConfigError => {
  const message = describeError(error, { verbose: true });
  const commonJs = /Cannot use import statement outside a module|Unexpected token 'export'/.test(message) && extname(path) === '.js';
  return new ConfigError(`Cannot load the config ${path}: ${message}` +
    (commonJs ? '; a .js config must be an ES module: name it clusterconf.config.mjs, or set "type": "module" in its package.json' : ''),
  { cause: error });
};

/** Imports the config file at `path` and checks its default export. */
export const loadConfigFile = async (path: string, loaders: ConfigLoaders = defaultLoaders(path)): Promise<LoadedConfig> => {
  if (!existsSync(path)) throw new MissingFileError(path, `check the --config path, or leave --config out to use ./${CONFIG_FILE_NAMES[0]} or the built-in ecc2020 config`);
  if (!statSync(path).isFile()) throw new ConfigError(`--config ${path} is not a file; give the path of a clusterconf.config.ts or .js`);
  const extension = extname(path);
  if (!TYPESCRIPT.has(extension) && !JAVASCRIPT.has(extension)) {
    throw new ConfigError(`${path}: a config is a .ts, .mts, .js or .mjs module, not "${extension || 'no extension'}"`);
  }
  if (TYPESCRIPT.has(extension)) await loaders.enableTypeScript();
  let module: Record<string, unknown>;
  try {
    module = await loaders.importModule(pathToFileURL(path).href);
  } catch (error) {
    throw loadFailure(path, error);
  }
  return { config: checkConfig(configExport(module), path), source: path };
};

/**
 * The config a command works on: `--config PATH` (relative to `cwd`), else the first `clusterconf.config.*` in
 * `cwd`, else the built-in ecc2020 config.
 */
export const resolveConfig = async (cwd: string, option: string | undefined, loaders?: ConfigLoaders): Promise<LoadedConfig> => {
  const path = option === undefined ? findConfigFile(cwd) : resolve(cwd, option);
  if (path === undefined) return defaultConfig;
  return loadConfigFile(path, loaders);
};
