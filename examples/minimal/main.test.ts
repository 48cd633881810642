import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { SqliteEventStore } from '@clusterconf/adapters/sqlite';
import { runTypeScript } from '../../test/e2e/spawn-tsx.js';

const folder = mkdtempSync(join(tmpdir(), 'clusterconf-minimal-'));
const file = join(folder, 'library.sqlite');
afterAll(() => rmSync(folder, { recursive: true, force: true }));

/** Runs main.ts as `npm start` does (tsx, the packages' source condition) on the temporary file. */
const runMain = () => runTypeScript('examples/minimal/main.ts', [file]);

const storedEvents = async () => {
  const store = await SqliteEventStore.open({ path: file, existingOnly: true });
  try {
    const events: string[] = [];
    for await (const event of store.readAll()) events.push(`${event.streamId} ${event.type} ${JSON.stringify(event.data)}`);
    return events;
  } finally {
    await store.close();
  }
};

const QUERY = [
  'ada has neuromancer (since 2024-03-01T10:05:00.000Z) on loan and returned 1',
  'bo has solaris (since 2024-03-01T11:00:00.000Z) on loan and returned 0',
];

describe('the minimal example as a program (main.ts)', () => {
  it('handles the commands, refuses the lend of a book on loan, and answers the query from the read model', async () => {
    const { code, stdout, stderr } = await runMain();
    expect(stderr).toBe('');
    expect(code).toBe(0);
    expect(stdout.trim().split('\n').slice(1)).toEqual([
      'ada borrows dune: appended BookLent',
      'ada borrows neuromancer: appended BookLent',
      'bo borrows solaris: appended BookLent',
      'ada returns dune: appended BookReturned',
      'bo asks for neuromancer: refused (AlreadyOnLoan): neuromancer is on loan to ada; it can be lent again once it is returned',
      ...QUERY,
    ]);
    expect(await storedEvents()).toEqual([
      'book-dune BookLent {"bookId":"dune","memberId":"ada"}',
      'book-neuromancer BookLent {"bookId":"neuromancer","memberId":"ada"}',
      'book-solaris BookLent {"bookId":"solaris","memberId":"bo"}',
      'book-dune BookReturned {"bookId":"dune","memberId":"ada"}',
    ]);
  });

  it('run again on the same file, appends nothing (each command has its id) and reads the same answer', async () => {
    const before = await storedEvents();
    const { code, stdout, stderr } = await runMain();
    expect(stderr).toBe('');
    expect(code).toBe(0);
    expect(stdout.match(/handled before, nothing appended/g)).toHaveLength(4);
    expect(stdout).toContain('bo asks for neuromancer: refused (AlreadyOnLoan)');
    expect(stdout.trim().split('\n').slice(-2)).toEqual(QUERY);
    expect(await storedEvents()).toEqual(before);
  });
});
