import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The monorepo's root folder. */
export const repoRoot = fileURLToPath(new URL('../..', import.meta.url));

/** The fields of a package.json that packaging reads. */
export interface Manifest {
  readonly name: string;
  readonly version: string;
  readonly private?: boolean;
  readonly files?: readonly string[];
  readonly bin?: Readonly<Record<string, string>>;
  readonly exports?: Readonly<Record<string, string | Readonly<Record<string, string>>>>;
  readonly dependencies?: Readonly<Record<string, string>>;
  readonly peerDependencies?: Readonly<Record<string, string>>;
  readonly scripts?: Readonly<Record<string, string>>;
}

/** A workspace package that is published: its folder (relative to the root, as npm's `-w` takes it) and manifest. */
export interface PublishedPackage {
  readonly workspace: string;
  readonly manifest: Manifest;
}

export const readManifest = (folder: string): Manifest => JSON.parse(readFileSync(join(folder, 'package.json'), 'utf8')) as Manifest;

/** Every workspace the root package.json lists that is not private, in the order listed. */
export const publishedPackages = (): PublishedPackage[] => {
  const root = JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as { workspaces: string[] };
  return root.workspaces
    .map((workspace) => ({ workspace, manifest: readManifest(join(repoRoot, workspace)) }))
    .filter(({ manifest }) => manifest.private !== true);
};

/** A package's import specifiers, one per `exports` entry that is code (not `./package.json`). */
export const exportSpecifiers = (manifest: Manifest): string[] =>
  Object.keys(manifest.exports ?? {})
    .filter((subpath) => subpath !== './package.json')
    .map((subpath) => (subpath === '.' ? manifest.name : `${manifest.name}/${subpath.slice(2)}`));

/** The files an `exports` map points at for consumers: every target but the monorepo's `@clusterconf/source`. */
export const exportTargets = (manifest: Manifest): string[] =>
  Object.values(manifest.exports ?? {}).flatMap((target) =>
    typeof target === 'string' ? [target] : Object.entries(target).filter(([condition]) => condition !== '@clusterconf/source').map(([, path]) => path));

/** The version of a package installed in the monorepo's node_modules. */
export const installedVersion = (name: string): string => readManifest(join(repoRoot, 'node_modules', name)).version;
