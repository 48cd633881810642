import { existsSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { conferenceEventSchemaSnapshotUrl } from '@clusterconf/domain';
import { runInProcessWith } from '../in-process.test-helper.js';

const repoNodeModules = fileURLToPath(new URL('../../../../node_modules', import.meta.url));

/** A user's config with a `BookLent` event of the given codec and history; each variant in a file of its own. */
const configText = (codec: string, history = '{}', extra = '') => `
import * as t from 'io-ts';
import { defineConfig } from '@clusterconf/cli';
import { createEventRegistry, defineEvent } from '@clusterconf/domain';
import { defineProjection } from '@clusterconf/projections';
const BookLent = defineEvent('BookLent', ${codec}, ${history});
const registry = createEventRegistry([BookLent]);
const loans = defineProjection(registry, { name: 'loans', version: 1, handlers: { BookLent: async () => undefined } });
export default defineConfig({ registry, projections: [loans]${extra} });
`;

const V1 = "t.type({ bookId: t.string, memberId: t.string, copies: t.number }, 'BookLent')";

describe('clusterconf schema check', () => {
  const dir = mkdtempSync(join(tmpdir(), 'clusterconf-schema-'));
  symlinkSync(repoNodeModules, join(dir, 'node_modules'), 'dir');
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const snapshot = join(dir, 'event-schemas.snapshot.json');
  let variants = 0;
  /** Writes a config variant (a new file each time: a module is imported once per path) and returns its --config. */
  const config = (codec: string, history?: string, extra?: string): string => {
    const name = `variant-${++variants}.config.ts`;
    writeFileSync(join(dir, name), configText(codec, history, extra));
    return name;
  };
  const run = (...args: string[]) => runInProcessWith({ cwd: dir }, ...args);
  const v1 = config(V1);

  it('asks for the snapshot to be recorded when there is none, and --update records it', async () => {
    const missing = await run('--config', v1, 'schema', 'check');
    expect(missing.code).toBe(1);
    expect(missing.stderr).toBe(`clusterconf: No such file: ${snapshot}: record the registry's event schemas there with ` +
      `\`clusterconf --config ${v1} schema check --update\` and commit the file\n`);

    const first = await run('--config', v1, 'schema', 'check', '--update');
    expect(first.code, first.stderr).toBe(0);
    expect(first.stdout).toBe([
      `schema check of ${join(dir, v1)} against ${snapshot}: 1 event type, 1 schema version`,
      '  recorded: BookLent v1: a new event type, not recorded yet.',
      `recorded 1 change in ${snapshot}: commit it with the codec change`,
      '',
    ].join('\n'));
    const recorded = JSON.parse(readFileSync(snapshot, 'utf8')) as { events: Record<string, Record<string, { required: string[] }>> };
    expect(recorded.events.BookLent!['1']!.required).toEqual(['bookId', 'memberId', 'copies']);

    const again = await run('--config', v1, 'schema', 'check', '--strict');
    expect(again.code, again.stderr).toBe(0);
    expect(again.stdout.split('\n')[1]).toBe('passed: the codecs read every recorded schema version');
  });

  it.each([
    ['a removed field', "t.type({ bookId: t.string, copies: t.number })",
      'BookLent v1: field `memberId` was removed; stored events carry it. Add schemaVersion 2 with an upcaster from v1 that drops or moves `memberId`, or keep the field optional.'],
    ['a renamed field', "t.type({ bookId: t.string, member: t.string, copies: t.number })",
      'BookLent v1: field `memberId` was renamed to `member`; stored events carry `memberId` and lack `member`. Add schemaVersion 2 with an upcaster from v1 that renames `memberId` to `member`.'],
    ['a changed type', "t.type({ bookId: t.string, memberId: t.string, copies: t.string })",
      'BookLent v1: field `copies` changed from number to string; stored events hold number. Add schemaVersion 2 with an upcaster from v1 that converts number to string, or accept number too (a union).'],
  ])('fails %s without a new schema version, says what to do, and --update records nothing', async (_change, codec, message) => {
    const before = readFileSync(snapshot, 'utf8');
    const changed = config(codec);
    for (const args of [[], ['--update']]) {
      const result = await run('--config', changed, 'schema', 'check', ...args);
      expect(result.code).toBe(1);
      expect(result.stdout.split('\n').slice(1)).toEqual([`  incompatible: ${message}`, '']);
      expect(result.stderr).toBe('clusterconf: schema check failed: 1 incompatible change (listed above): fix each as it says; nothing was recorded\n');
      expect(readFileSync(snapshot, 'utf8')).toBe(before);
    }
  });

  it('passes an optional field added; --strict fails until --update records it', async () => {
    const widened = config(`t.intersection([${V1}, t.partial({ dueBack: t.string })])`);
    const check = await run('--config', widened, 'schema', 'check');
    expect(check.code, check.stderr).toBe(0);
    expect(check.stdout.split('\n').slice(1)).toEqual([
      '  not recorded yet: BookLent v1: changed compatibly, not recorded yet.',
      `passed; record it with \`clusterconf --config ${widened} schema check --update\` and commit ${snapshot}`,
      '',
    ]);
    const strict = await run('--config', widened, 'schema', 'check', '--strict');
    expect(strict.code).toBe(1);
    expect(strict.stderr).toBe('clusterconf: schema check failed: 1 change not recorded (--strict) (listed above): record them with --update and commit the snapshot with the codec change\n');

    expect((await run('--config', widened, 'schema', 'check', '--update')).code).toBe(0);
    expect((await run('--config', widened, 'schema', 'check', '--strict')).code).toBe(0);
    // The field is recorded now: removing it again breaks.
    const narrowed = await run('--config', config(V1), 'schema', 'check', '--json');
    expect(narrowed.code).toBe(1);
    expect(JSON.parse(narrowed.stdout)).toEqual({
      config: join(dir, `variant-${variants}.config.ts`), snapshot, passed: false, updated: false,
      breaks: ['BookLent v1: field `dueBack` was removed; stored events may carry it. Add schemaVersion 2 with an upcaster from v1 that drops or moves `dueBack`, or keep the field optional.'],
      gaps: [], unrecorded: [],
    });
  });

  it('passes an incompatible change at a new schema version with an upcaster, and keeps v1 as recorded', async () => {
    const v1Recorded = (JSON.parse(readFileSync(snapshot, 'utf8')) as { events: { BookLent: Record<string, unknown> } }).events.BookLent['1'];
    const v2 = config("t.type({ bookId: t.string, copies: t.number })", '{ schemaVersion: 2, upcasters: [{ fromVersion: 1, upcast: (data) => data }] }');
    const result = await run('--config', v2, 'schema', 'check', '--update', '--json');
    expect(result.code, result.stderr).toBe(0);
    expect(JSON.parse(result.stdout)).toMatchObject({ passed: true, updated: true, breaks: [], unrecorded: ['BookLent v2: a new schema version, not recorded yet (v1 stays as recorded).'] });
    const versions = (JSON.parse(readFileSync(snapshot, 'utf8')) as { events: { BookLent: Record<string, unknown> } }).events.BookLent;
    expect(Object.keys(versions)).toEqual(['1', '2']);
    expect(versions['1']).toEqual(v1Recorded);
  });

  it('finds the snapshot a config names, relative to the config file, from any working directory', async () => {
    const named = config(V1, '{}', ", schemaSnapshot: 'schemas/loans.json'");
    const elsewhere = mkdtempSync(join(tmpdir(), 'clusterconf-schema-cwd-'));
    try {
      const result = await runInProcessWith({ cwd: elsewhere }, '--config', join(dir, named), 'schema', 'check', '--update');
      expect(result.code, result.stderr).toBe(0);
      expect(existsSync(join(dir, 'schemas', 'loans.json'))).toBe(true);
    } finally {
      rmSync(elsewhere, { recursive: true, force: true });
    }
  });

  it('names the config and the field of a codec it cannot describe', async () => {
    const tagged = config("t.type({ bookId: t.string, tags: t.record(t.string, t.string) })");
    const result = await run('--config', tagged, 'schema', 'check');
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(new RegExp(`^clusterconf: ${join(dir, tagged).replaceAll('.', '\\.')}: BookLent v1: toJsonSchema: tags: io-ts DictionaryType .*; ` +
      'describe the payload with those combinators so that its schema can be recorded and checked\n$'));
  });

  it('says in one line that schema needs its command, and which one was meant', async () => {
    expect(await runInProcessWith({}, 'schema')).toEqual({
      code: 2, stdout: '', stderr: 'clusterconf: schema needs a command: check (run clusterconf schema check --help for usage)\n',
    });
    expect((await runInProcessWith({}, 'schema', 'chek')).stderr).toBe(
      'clusterconf: unknown command \'schema chek\'; did you mean schema check? (run clusterconf schema --help for usage)\n',
    );
  });

  it('checks the built-in conference config against the domain\'s committed snapshot, strictly', async () => {
    const result = await runInProcessWith({}, 'schema', 'check', '--strict');
    expect(result.code, result.stdout + result.stderr).toBe(0);
    expect(result.stdout).toBe(`schema check of built-in ecc2020 against ${fileURLToPath(conferenceEventSchemaSnapshotUrl)}: 9 event types, 10 schema versions\n` +
      'passed: the codecs read every recorded schema version\n');
  });
});
