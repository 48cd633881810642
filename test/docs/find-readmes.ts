import { readdirSync } from 'node:fs';
import { join } from 'node:path';

/** Folders that hold no documentation of ours: installed packages, build output, data and tool state. */
const SKIPPED = new Set(['node_modules', 'dist', 'data', 'coverage']);

/** Every README.md under `root` (any case), outside node_modules, dist, data, coverage and hidden folders; sorted. */
export const findReadmes = (root: string): string[] => {
  const found: string[] = [];
  const walk = (folder: string): void => {
    for (const entry of readdirSync(folder, { withFileTypes: true })) {
      if (entry.isDirectory()) {
        if (!SKIPPED.has(entry.name) && !entry.name.startsWith('.')) walk(join(folder, entry.name));
      } else if (entry.isFile() && entry.name.toLowerCase() === 'readme.md') {
        found.push(join(folder, entry.name));
      }
    }
  };
  walk(root);
  return found.sort();
};
