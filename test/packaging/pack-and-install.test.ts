// The published packages as a user gets them: built, packed with `npm pack`, installed from the tarballs into an
// empty project outside the monorepo, compiled against and run. Fails on a wrong `exports` path, a `files` list that
// leaves something out, a runtime dependency that is not declared, or a tarball that ships tests or sources.
//
// The install is `npm install --prefer-offline --ignore-scripts`:
// - prefer-offline, not offline: npm 11 resolves a version range from the full packument, which `npm ci` does not
//   cache (it keeps the abbreviated one, and installs from the lockfile without either), so a strictly offline install
//   fails with ENOTCACHED; this way the tarballs come from the cache and only packuments are asked of the registry.
// - ignore-scripts: our packages have no install scripts, and better-sqlite3's would compile its addon for a minute;
//   the consumer gets the monorepo's compiled addon of the same version instead (sqlite-addon.ts says why that is
//   the same file).
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { importedPackages } from './bare-imports.js';
import { assertNoNodeModulesAbove, writeConsumerProject, type Tarball } from './consumer-project.js';
import {
  exportSpecifiers, exportTargets, publishedPackages, readManifest, repoRoot, type Manifest,
} from './published-packages.js';
import { describeRun, runCommand, runOrThrow, type CommandResult } from './run-command.js';
import { reuseCompiledSqliteAddon } from './sqlite-addon.js';

/** One package as `npm pack --json` describes it. */
interface PackReport {
  readonly name: string;
  readonly filename: string;
  readonly files: readonly { readonly path: string }[];
}

const tsc = join(createRequire(import.meta.url).resolve('typescript/package.json'), '..', 'bin', 'tsc');
const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
const published = publishedPackages();

let work: string;
let consumer: string;
let packed: PackReport[];
let compile: CommandResult;

const installedFolder = (name: string): string => join(consumer, 'node_modules', name);
const bin = (name: string): string => join(consumer, 'node_modules', '.bin', name);
const normalized = (path: string): string => path.replace(/^\.\//, '');

beforeAll(async () => {
  // tsc -b is incremental: this is a no-op when dist/ is current, and makes sure it is.
  await runOrThrow(npm, ['run', 'build'], repoRoot);
  work = mkdtempSync(join(tmpdir(), 'clusterconf-pack-'));
  consumer = join(work, 'consumer');
  const tarballs = join(work, 'tarballs');
  mkdirSync(tarballs);
  const pack = await runOrThrow(npm, ['pack', '--json', '--pack-destination', tarballs, ...published.flatMap(({ workspace }) => ['-w', workspace])], repoRoot);
  packed = JSON.parse(pack.stdout) as PackReport[];
  const byName = new Map(packed.map((report) => [report.name, report]));
  writeConsumerProject(consumer, published.map(({ manifest }): Tarball => {
    const report = byName.get(manifest.name);
    if (report === undefined) throw new Error(`npm pack made no tarball for ${manifest.name}`);
    return { manifest, path: join(tarballs, report.filename) };
  }));
  assertNoNodeModulesAbove(consumer);
  await runOrThrow(npm, ['install', '--prefer-offline', '--ignore-scripts', '--no-audit', '--no-fund'], consumer);
  reuseCompiledSqliteAddon(consumer);
  compile = await runCommand(process.execPath, [tsc, '-p', 'tsconfig.json'], consumer);
}, 600_000);

afterAll(() => {
  if (work !== undefined) rmSync(work, { recursive: true, force: true });
});

describe('each published package, packed', () => {
  // A schema snapshot (data the schema check reads, at the one path src/ and dist/ both resolve) is the only file
  // outside bin/ and dist/ beside the README, the LICENSE and the adapter guide.
  it.each(published.map(({ manifest }) => [manifest.name, manifest] as const))('%s holds built code, its README and the LICENSE, and no tests or sources', (name) => {
    const files = packed.find((report) => report.name === name)!.files.map(({ path }) => path);
    expect(files).toEqual(expect.arrayContaining(['package.json', 'README.md', 'LICENSE']));
    const unexpected = files.filter((path) =>
      /\.test(-helper)?\.|\.tsbuildinfo$|\.d\.ts\.map$/.test(path) || !/^(bin|dist)\/|^(package\.json|README\.md|LICENSE|WRITING-AN-ADAPTER\.md)$|^src\/.*\.snapshot\.json$/.test(path));
    expect(unexpected, `files ${name} should not ship`).toEqual([]);
    expect(files.filter((path) => path.endsWith('.ts') && !path.endsWith('.d.ts')), 'TypeScript sources').toEqual([]);
  });

  it.each(published.map(({ manifest }) => [manifest.name, manifest] as const))('%s holds every file its exports and bin name', (name, manifest: Manifest) => {
    const files = new Set(packed.find((report) => report.name === name)!.files.map(({ path }) => path));
    const named = [...exportTargets(manifest), ...Object.values(manifest.bin ?? {})].map(normalized);
    expect(named.length).toBeGreaterThan(0);
    expect(named.filter((path) => !files.has(path)), `named by ${name}'s package.json but not packed`).toEqual([]);
  });
});

describe('the packages installed from their tarballs into an empty project outside the monorepo', () => {
  it('are installed once each, with the LICENSE of the repository', () => {
    const license = readFileSync(join(repoRoot, 'LICENSE'), 'utf8');
    for (const { manifest } of published) {
      expect(readManifest(installedFolder(manifest.name)).version).toBe(manifest.version);
      expect(readFileSync(join(installedFolder(manifest.name), 'LICENSE'), 'utf8')).toBe(license);
      for (const other of published) {
        expect(existsSync(join(installedFolder(manifest.name), 'node_modules', other.manifest.name)), `a second ${other.manifest.name} under ${manifest.name}`).toBe(false);
      }
    }
  });

  it.each(published.map(({ manifest }) => [manifest.name] as const))('%s has a README that says how to install it from npm, and that the source condition is not for installs', (name) => {
    const readme = readFileSync(join(installedFolder(name), 'README.md'), 'utf8');
    expect(readme).toMatch(new RegExp(`npm install (-g )?${name.replace('/', '\\/')}(\\s|$)`));
    expect(readme).toMatch(/`@clusterconf\/source` condition/);
  });

  it.each(published.map(({ manifest }) => [manifest.name] as const))('%s imports only packages it declares as dependencies or peers', (name) => {
    const manifest = readManifest(installedFolder(name));
    const declared = new Set([name, ...Object.keys(manifest.dependencies ?? {}), ...Object.keys(manifest.peerDependencies ?? {})]);
    const undeclared = [...importedPackages(installedFolder(name))]
      .filter(([imported]) => !declared.has(imported))
      .map(([imported, file]) => `${imported} (imported by ${relative(installedFolder(name), file)})`);
    expect(undeclared).toEqual([]);
  });

  it('give the CLI every driver the adapters take as an optional peer, since its --store reaches each backend', () => {
    const cli = readManifest(installedFolder('@clusterconf/cli'));
    // vitest and fast-check are peers of the testing kit only, for adapter authors' tests.
    const drivers = Object.keys(readManifest(installedFolder('@clusterconf/adapters')).peerDependencies ?? {})
      .filter((name) => !name.startsWith('@types/') && name !== 'vitest' && name !== 'fast-check');
    expect(drivers.length).toBeGreaterThan(0);
    expect(drivers.filter((driver) => cli.dependencies?.[driver] === undefined)).toEqual([]);
    for (const driver of drivers) expect(existsSync(installedFolder(driver)), `${driver} installed`).toBe(true);
  });

  it('typecheck a program against their declarations, with nodenext and no custom conditions', () => {
    expect(compile.code, describeRun('tsc', ['-p', 'tsconfig.json'], compile)).toBe(0);
  });

  it('load every exports entry with plain node', async () => {
    const result = await runCommand(process.execPath, ['build/every-export.js'], consumer);
    expect(result.code, describeRun('node', ['build/every-export.js'], result)).toBe(0);
    const counts = JSON.parse(result.stdout) as Record<string, number>;
    expect(Object.keys(counts).sort()).toEqual(published.flatMap(({ manifest }) => exportSpecifiers(manifest)).sort());
    expect(Object.entries(counts).filter(([, count]) => count === 0), 'entries that export nothing').toEqual([]);
  });

  it("run the published contract suites with the consumer's own vitest, as an adapter author's tests do", async () => {
    const result = await runCommand(bin('vitest'), ['run', 'src/memory-contract.test.ts'], consumer);
    expect(result.code, describeRun('vitest', ['run', 'src/memory-contract.test.ts'], result)).toBe(0);
    // eslint-disable-next-line no-control-regex -- vitest colours its summary
    expect(result.stdout.replace(/\u001b\[[0-9;]*m/g, '')).toMatch(/Test Files\s+1 passed \(1\)/);
  });

  it('append events to a SQLite event store, project them to read models and query those, with plain node', async () => {
    const result = await runCommand(process.execPath, ['build/conference-tally.js', join(work, 'conference.sqlite')], consumer);
    expect(result.code, describeRun('node', ['build/conference-tally.js'], result)).toBe(0);
    expect(JSON.parse(result.stdout)).toEqual({ head: '7', attendance: { total: 3, byCountry: { DE: 2, FR: 1 } }, votes: 2 });
  });

  it('run the clusterconf command from the install: --version, --help, seed and replay', async () => {
    const cli = readManifest(installedFolder('@clusterconf/cli'));
    const version = await runCommand(bin('clusterconf'), ['--version'], consumer);
    expect(version, describeRun('clusterconf', ['--version'], version)).toMatchObject({ code: 0, stdout: `${cli.version}\n` });

    const help = await runCommand(bin('clusterconf'), ['--help'], consumer);
    expect(help.code, describeRun('clusterconf', ['--help'], help)).toBe(0);
    for (const command of ['seed', 'replay', 'rebuild', 'status', 'export', 'import', 'tail']) expect(help.stdout).toContain(command);

    const store = `sqlite:${join(work, 'ecc2020.sqlite')}`;
    const seed = await runCommand(bin('clusterconf'), ['seed', 'ecc2020', '--store', store], consumer);
    expect(seed.code, describeRun('clusterconf', ['seed', 'ecc2020', '--store', store], seed)).toBe(0);
    const events = /(\d+) events/.exec(seed.stdout)?.[1];
    expect(events, seed.stdout).toBeDefined();
    const replay = await runCommand(bin('clusterconf'), ['replay', '--store', store], consumer);
    expect(replay.code, describeRun('clusterconf', ['replay', '--store', store], replay)).toBe(0);
    expect(replay.stdout).toMatch(new RegExp(`^attendance\\s+v1\\s+${events}\\s+${events}\\s+0$`, 'm'));
  });
});
