import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { SqliteEventStore } from '@clusterconf/adapters/sqlite';
import { expectEcc2020Facts, reportSection } from './ecc2020-facts.js';
import { runProgram } from '../support/run-program.js';
import { type ProcessResult, repoRoot } from './spawn-tsx.js';

/** Runs the root `npm start`, exactly as a user does, with the data folder pointed at `dataDir`. */
const npmStart = (dataDir: string): Promise<ProcessResult> =>
  runProgram('npm', ['start'], {
    cwd: repoRoot,
    env: { ...process.env, CLUSTERCONF_DATA_DIR: dataDir, CLUSTERCONF_STORE: undefined },
    timeoutMs: 120_000,
  });

/** The number of events and the head of the SQLite file, read directly. */
const logOf = async (file: string) => {
  const store = await SqliteEventStore.open({ path: file });
  try {
    let count = 0;
    for await (const _event of store.readAll()) count++;
    return { count, head: await store.headPosition() };
  } finally {
    await store.close();
  }
};

describe('npm start: the ECC 2020 example on embedded SQLite', () => {
  const root = mkdtempSync(join(tmpdir(), 'clusterconf-start-'));
  // A folder that does not exist yet: the first run must create it.
  const dataDir = join(root, 'data');
  const file = join(dataDir, 'ecc2020.sqlite');
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  it('writes the history on the first run and replays it on the second, writing nothing twice, with the same report', async () => {
    expect(existsSync(dataDir)).toBe(false);
    const first = await npmStart(dataDir);
    expect(first.code, first.stderr).toBe(0);
    expect(existsSync(file)).toBe(true);
    const wrote = /Wrote (\d+) events from (\d+) commands/.exec(first.stdout);
    expect(wrote, first.stdout).not.toBeNull();
    expectEcc2020Facts(first.stdout);
    const afterFirst = await logOf(file);
    expect(afterFirst.count).toBe(Number(wrote![1]));

    const second = await npmStart(dataDir);
    expect(second.code, second.stderr).toBe(0);
    expect(second.stdout).toContain(`History already stored (${afterFirst.count} events): replaying it into the read models, writing nothing`);
    expect(second.stdout).not.toMatch(/Wrote \d+ events/);
    expectEcc2020Facts(second.stdout);
    expect(reportSection(second.stdout)).toBe(reportSection(first.stdout));
    const afterSecond = await logOf(file);
    expect(afterSecond).toEqual(afterFirst);
  }, 300_000);
});
