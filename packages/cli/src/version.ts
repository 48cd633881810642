import { readFileSync } from 'node:fs';

/**
 * The version in @clusterconf/cli's package.json, read when asked: the file sits one folder above this module both in
 * the sources (src/) and in the build (dist/), and npm packs it into every install.
 */
export const packageVersion = (): string => {
  const manifest = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version?: unknown };
  if (typeof manifest.version !== 'string') throw new Error('@clusterconf/cli: package.json has no version');
  return manifest.version;
};
