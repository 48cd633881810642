import { mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SqliteEventStore } from '@clusterconf/adapters/sqlite';
import { toNewEvents } from '@clusterconf/domain';
import { repoRoot, runBin } from './spawn-tsx.js';

/** A user's config outside the conference domain: two event types and one read model of their own. */
const CONFIG = `
import * as t from 'io-ts';
import { defineConfig } from '@clusterconf/cli';
import { createEventRegistry, defineEvent } from '@clusterconf/domain';
import { defineProjection } from '@clusterconf/projections';

const BookLent = defineEvent('BookLent', t.type({ isbn: t.string, member: t.string }));
const BookReturned = defineEvent('BookReturned', t.type({ isbn: t.string }));
const registry = createEventRegistry([BookLent, BookReturned]);

const loans = defineProjection(registry, {
  name: 'loans',
  version: 1,
  handlers: {
    BookLent: async ({ data }, ops) => ops.upsert('books', data.isbn, { member: data.member }),
    BookReturned: async ({ data }, ops) => ops.delete('books', data.isbn),
  },
});

export default defineConfig({ registry, projections: [loans], store: 'sqlite:library.sqlite' });
`;

/** A one-line error: `clusterconf: ...` and nothing else on stderr. */
const oneLine = (stderr: string): string => {
  const lines = stderr.trimEnd().split('\n');
  expect(lines).toHaveLength(1);
  expect(lines[0]).toMatch(/^clusterconf: /);
  return lines[0]!;
};

describe('clusterconf on a config of the user\'s own domain, through the installed bin', () => {
  const dir = mkdtempSync(join(tmpdir(), 'clusterconf-library-'));
  const run = (...args: string[]) => runBin(args, { cwd: dir });
  const json = (text: string) => JSON.parse(text) as Record<string, unknown>;

  beforeAll(async () => {
    // The project's node_modules is the repository's, so its config imports @clusterconf/* and io-ts as a user's would.
    symlinkSync(join(repoRoot, 'node_modules'), join(dir, 'node_modules'), 'dir');
    writeFileSync(join(dir, 'clusterconf.config.ts'), CONFIG);
    const store = await SqliteEventStore.open({ path: join(dir, 'library.sqlite') });
    const now = () => new Date('2024-03-01T09:00:00.000Z');
    await store.appendToStream('book-1', toNewEvents('book-1', [{ type: 'BookLent', data: { isbn: '1', member: 'ada' } }], { now }));
    await store.appendToStream('book-2', toNewEvents('book-2', [{ type: 'BookLent', data: { isbn: '2', member: 'bo' } }], { now }));
    await store.appendToStream('book-1', toNewEvents('book-1', [{ type: 'BookReturned', data: { isbn: '1' } }], { now }), { expectedRevision: 0n });
    await store.close();
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('runs status, replay and rebuild on the config found in the working directory, as JSON', async () => {
    const status = await run('status', '--json');
    expect(status.code, status.stderr).toBe(0);
    expect(json(status.stdout)).toEqual({
      store: `sqlite:${join(dir, 'library.sqlite')}`, head: '3', durableReadModels: true,
      projections: [{ name: 'loans', version: 1, position: null, head: '3', lag: 3, lagIs: 'exact' }],
    });

    const replay = await run('replay', '--json');
    expect(replay.code, replay.stderr).toBe(0);
    expect(json(replay.stdout)).toMatchObject({ command: 'replay', head: '3', rebuilt: [], projections: [{ name: 'loans', position: '3', lag: 0 }] });

    const rebuild = await run('rebuild', 'loans', '--json');
    expect(rebuild.code, rebuild.stderr).toBe(0);
    expect(json(rebuild.stdout)).toMatchObject({ command: 'rebuild', rebuilt: ['loans'], projections: [{ name: 'loans', position: '3', lag: 0 }] });

    const typo = await run('rebuild', 'loan');
    expect(typo.code).toBe(2);
    expect(oneLine(typo.stderr)).toBe('clusterconf: Unknown projection "loan": did you mean loans? choose one of loans');
  }, 120_000);

  it('tails the log as NDJSON up to the head at its start, and stops by itself', async () => {
    const tail = await run('tail', '--from', 'start', '--until-head', '--json');
    expect(tail.code, tail.stderr).toBe(0);
    const events = tail.stdout.trim().split('\n').map((line) => json(line));
    expect(events.map((e) => [e.position, e.streamId, e.streamRevision, e.type, e.data])).toEqual([
      ['1', 'book-1', '0', 'BookLent', { isbn: '1', member: 'ada' }],
      ['2', 'book-2', '0', 'BookLent', { isbn: '2', member: 'bo' }],
      ['3', 'book-1', '1', 'BookReturned', { isbn: '1' }],
    ]);
    expect(events[0]!.metadata).toMatchObject({ occurredAt: '2024-03-01T09:00:00.000Z', schemaVersion: 1 });
    expect(tail.stderr).toContain('up to the head at position 3');

    const filtered = await run('tail', '--from', 'start', '--until-head', '--type', 'BookLent');
    expect(filtered.code, filtered.stderr).toBe(0);
    expect(filtered.stdout.trim().split('\n')).toEqual(['1 book-1@0 BookLent {"isbn":"1","member":"ada"}', '2 book-2@0 BookLent {"isbn":"2","member":"bo"}']);
  }, 120_000);

  it('exports and imports with JSON summaries, counting the events already present on a second import', async () => {
    const file = join(dir, 'library.ndjson');
    const exported = await run('export', '--out', file, '--json');
    expect(exported.code, exported.stderr).toBe(0);
    const summary = json(exported.stdout);
    expect(summary).toMatchObject({ store: `sqlite:${join(dir, 'library.sqlite')}`, out: file, events: 3, head: '3', sha256: expect.stringMatching(/^[0-9a-f]{64}$/) });
    expect(JSON.parse(readFileSync(file, 'utf8').trim().split('\n').at(-1)!)).toMatchObject({ events: 3, sha256: summary.sha256 });

    const copy = `sqlite:${join(dir, 'copy.sqlite')}`;
    const first = await run('import', file, '--store', copy, '--json');
    expect(first.code, first.stderr).toBe(0);
    expect(json(first.stdout)).toMatchObject({ file, store: `sqlite:${join(dir, 'copy.sqlite')}`, events: 3, newEvents: 3, presentEvents: 0, sha256: summary.sha256 });
    const second = await run('import', file, '--store', copy, '--json');
    expect(json(second.stdout)).toMatchObject({ events: 3, newEvents: 0, presentEvents: 3, sha256: summary.sha256 });
    const human = await run('import', file, '--store', copy);
    expect(human.stdout).toMatch(new RegExp(`^imported 0 new events, 3 already present, from ${file.replace(/[.\\/]/g, '\\$&')} into sqlite:.*copy\\.sqlite in \\d+\\.\\d s: verified 3 events, sha256 ${summary.sha256}\\n$`));
  }, 120_000);

  it('draws the named phases on stderr when --progress forces them, and nothing without it', async () => {
    const file = join(dir, 'progress.ndjson');
    expect((await run('export', '--out', file)).code).toBe(0);
    const forced = await run('--progress', 'import', file, '--store', `sqlite:${join(dir, 'progress.sqlite')}`);
    expect(forced.code, forced.stderr).toBe(0);
    for (const phase of ['reading', 'writing', 'verifying']) {
      expect(forced.stderr).toMatch(new RegExp(`^import ${phase} +\\[[█░]+\\] 100% \\| 3/3 events \\| [\\d,]+ events/s \\| done in `, 'm'));
    }
    const quiet = await run('replay', '--from-scratch');
    expect(quiet.code, quiet.stderr).toBe(0);
    expect(quiet.stderr).toBe('');
  }, 120_000);

  it('takes --config from any working directory, and says in one line what is wrong with a config', async () => {
    const elsewhere = await runBin(['status', '--config', join(dir, 'clusterconf.config.ts'), '--store', `sqlite:${join(dir, 'library.sqlite')}`, '--json'], { cwd: repoRoot });
    expect(elsewhere.code, elsewhere.stderr).toBe(0);
    expect(json(elsewhere.stdout)).toMatchObject({ projections: [{ name: 'loans' }] });

    writeFileSync(join(dir, 'typo.config.mjs'), "export default { registry: {}, projection: [] };\n");
    const bad = await run('status', '--config', 'typo.config.mjs');
    expect(bad.code).toBe(1);
    expect(oneLine(bad.stderr)).toBe(`clusterconf: ${join(dir, 'typo.config.mjs')}: unknown key "projection"; a config takes registry, projections, store, keys, openStores, schemaSnapshot`);

    const missing = await run('status', '--config', 'nope.config.ts');
    expect(missing.code).toBe(1);
    expect(oneLine(missing.stderr)).toContain(`No such file: ${join(dir, 'nope.config.ts')}: check the --config path`);
  }, 120_000);

  it('prints its version and reports commander\'s errors in one line with the suggestion', async () => {
    const { version } = JSON.parse(readFileSync(join(repoRoot, 'packages/cli/package.json'), 'utf8')) as { version: string };
    const printed = await run('--version');
    expect(printed.code).toBe(0);
    expect(printed.stdout).toBe(`${version}\n`);
    const unknown = await run('replya');
    expect(unknown.code).toBe(2);
    expect(oneLine(unknown.stderr)).toBe("clusterconf: unknown command 'replya'; did you mean replay? (run the command with --help for usage)");
  }, 120_000);
});
