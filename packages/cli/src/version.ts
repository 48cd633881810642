import { readFileSync } from 'node:fs';

/**
 * The version in @clusterconf/cli's package.json, which `clusterconf --version` prints. Read when asked, so it is the
 * installed package's own: the file sits one folder above this module both in the sources (src/) and in the build
 * (dist/), and npm packs it into every install.
 */
export const packageVersion = (): string => {
  const path = new URL('../package.json', import.meta.url);
  const manifest = JSON.parse(readFileSync(path, 'utf8')) as { name?: unknown; version?: unknown };
  if (manifest.name !== '@clusterconf/cli' || typeof manifest.version !== 'string') {
    throw new Error(`${path.pathname} is not @clusterconf/cli's package.json with a version; reinstall @clusterconf/cli`);
  }
  return manifest.version;
};
