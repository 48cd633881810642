import { copyFileSync, existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { readManifest, repoRoot } from './published-packages.js';

const addonPath = join('build', 'Release', 'better_sqlite3.node');

/**
 * Gives the consumer's better-sqlite3, installed with its install script skipped, the native addon that `npm ci`
 * compiled for the monorepo: the same version of the same package for the same Node, so the very file that script
 * would have built. This spares a minute of C++ compiling per run, and leaves the monorepo's own copy alone (npm
 * runs a linked `file:` package's install script in the link's target, so linking it would rebuild it there).
 */
export const reuseCompiledSqliteAddon = (consumer: string): void => {
  const source = join(repoRoot, 'node_modules', 'better-sqlite3');
  const target = join(consumer, 'node_modules', 'better-sqlite3');
  if (!existsSync(join(source, addonPath))) {
    throw new Error(`${join(source, addonPath)} does not exist: run npm ci at ${repoRoot}, whose install of better-sqlite3 compiles it`);
  }
  const [wanted, installed] = [readManifest(source).version, readManifest(target).version];
  if (wanted !== installed) {
    throw new Error(`the consumer installed better-sqlite3 ${installed}, but the monorepo's compiled addon is for ${wanted}; pin the same version`);
  }
  mkdirSync(join(target, 'build', 'Release'), { recursive: true });
  copyFileSync(join(source, addonPath), join(target, addonPath));
};
