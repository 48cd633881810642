// `npm run docs` (typedoc over typedoc.json) builds the API reference with no warning: typedoc.json sets
// treatWarningsAsErrors, so a broken {@link}, a type the public API uses but no entry point exports, or a comment
// typedoc cannot read fails this test. It writes to a temporary folder, not docs/api.
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, posix } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { exportSpecifiers, publishedPackages, repoRoot } from '../packaging/published-packages.js';
import { describeRun, runCommand, type CommandResult } from '../packaging/run-command.js';

/** Exports that are no public API, so not documented: the fast path says so of itself (semver does not cover it). */
const notPublic = new Set(['@clusterconf/projections/fast-path']);

const published = publishedPackages();
const typedocOptions = JSON.parse(readFileSync(join(repoRoot, 'typedoc.json'), 'utf8')) as { entryPoints: string[] };

let out: string;
let docs: CommandResult;

beforeAll(async () => {
  out = mkdtempSync(join(tmpdir(), 'clusterconf-docs-'));
  docs = await runCommand('npm', ['run', 'docs', '--', '--out', out], repoRoot);
}, 300_000);

afterAll(() => {
  if (out !== undefined) rmSync(out, { recursive: true, force: true });
});

describe('the API reference', () => {
  it('is built by npm run docs with no warnings', () => {
    expect(docs.code, describeRun('npm', ['run', 'docs'], docs)).toBe(0);
    expect(`${docs.stdout}${docs.stderr}`).not.toMatch(/\[warning\]|\[error\]/);
    expect(readdirSync(out)).toContain('index.html');
  });

  it('has an entry point for every public exports entry of every published package, and no other', () => {
    const sources = published.flatMap(({ workspace, manifest }) =>
      Object.entries(manifest.exports ?? {}).flatMap(([subpath, target]) => {
        const specifier = subpath === '.' ? manifest.name : `${manifest.name}/${subpath.slice(2)}`;
        const source = typeof target === 'string' ? undefined : target['@clusterconf/source'];
        return source === undefined || notPublic.has(specifier) ? [] : [posix.join(workspace, source)];
      }));
    expect([...typedocOptions.entryPoints].sort()).toEqual(sources.sort());
  });

  it('names each module page by its import specifier', () => {
    const titles = readdirSync(join(out, 'modules')).map((page) => /<h1>Module ([^<]+)<\/h1>/.exec(readFileSync(join(out, 'modules', page), 'utf8'))?.[1]);
    const specifiers = published.flatMap(({ manifest }) => exportSpecifiers(manifest)).filter((specifier) => !notPublic.has(specifier));
    expect(titles.sort()).toEqual(specifiers.sort());
  });
});
