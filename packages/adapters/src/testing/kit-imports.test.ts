import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

// The kit is published as `@clusterconf/adapters/testing` and runs in other people's repositories: it may import only
// what an installed @clusterconf/adapters brings (its dependencies, its optional peers) and its own files, never this
// repository's test/ tree or another package's private files.
const here = new URL('./', import.meta.url);
const manifest = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as {
  dependencies: Record<string, string>;
  peerDependencies: Record<string, string>;
  peerDependenciesMeta: Record<string, { optional?: boolean }>;
};
const kitFiles = readdirSync(here).filter((name) => name.endsWith('.ts') && !name.endsWith('.test.ts'));
/** The modules a file imports, its comments (usage examples) left out. */
const specifiers = (file: string): string[] => {
  const code = readFileSync(new URL(file, here), 'utf8').replace(/\/\*[\s\S]*?\*\//g, '').replace(/^\s*\/\/.*$/gm, '');
  return [...code.matchAll(/(?:from|import)\s*\(?\s*'([^']+)'/g)].map((match) => match[1]!);
};
/** The package a bare specifier names: `@scope/name` or `name`. */
const packageOf = (specifier: string): string => specifier.split('/').slice(0, specifier.startsWith('@') ? 2 : 1).join('/');

describe('the adapter kit as published', () => {
  it.each(kitFiles)('%s imports only its own files, node: modules, and packages @clusterconf/adapters declares', (file) => {
    const found = specifiers(file);
    expect(found.length).toBeGreaterThan(0);
    for (const specifier of found) {
      if (specifier.startsWith('.')) {
        expect(specifier, `${file} reaches outside the kit`).toMatch(/^\.\/[\w-]+\.js$/);
      } else if (!specifier.startsWith('node:')) {
        const name = packageOf(specifier);
        expect(Object.hasOwn(manifest.dependencies, name) || Object.hasOwn(manifest.peerDependencies, name), `${file} imports ${specifier}, which is not declared`).toBe(true);
      }
    }
  });

  it('declares the test tools it imports as optional peers, so a production install needs neither', () => {
    for (const tool of ['vitest', 'fast-check']) {
      expect(manifest.peerDependencies[tool], tool).toBeDefined();
      expect(manifest.peerDependenciesMeta[tool]?.optional, tool).toBe(true);
    }
  });
});
