import { readFileSync } from 'node:fs';

/**
 * The version in @clusterconf/cli's package.json, which `clusterconf --version` prints. Read at run time, so it is the
 * installed package's own: both `src/` (in the monorepo) and `dist/` (installed) sit directly in the package folder.
 */
export const cliVersion = (): string => {
  const path = new URL('../package.json', import.meta.url);
  const manifest = JSON.parse(readFileSync(path, 'utf8')) as { name?: unknown; version?: unknown };
  if (manifest.name !== '@clusterconf/cli' || typeof manifest.version !== 'string') {
    throw new Error(`${path.pathname} is not @clusterconf/cli's package.json with a version; reinstall @clusterconf/cli`);
  }
  return manifest.version;
};
