import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SqliteEventStore } from '@clusterconf/adapters/sqlite';
import { collectWorkload, expectWorkloadHeld, runDcbWriter, sumTallies, type WorkloadTally } from '../support/dcb-workload.js';

const child = fileURLToPath(new URL('./fixtures/sqlite-dcb-child.ts', import.meta.url));

/** Runs `writers` workload writers in a separate Node process on the same file; resolves with their tally. */
const writersInChild = (path: string, prefix: string, writers: number, appends: number): Promise<WorkloadTally> =>
  new Promise((resolve, reject) => {
    const proc = spawn(process.execPath, ['--conditions=@clusterconf/source', '--import', 'tsx', child, path, prefix, String(writers), String(appends)], {
      cwd: fileURLToPath(new URL('../..', import.meta.url)),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    proc.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    proc.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    proc.on('error', reject);
    proc.on('exit', (code) => (code === 0 ? resolve(JSON.parse(stdout) as WorkloadTally) : reject(new Error(`child exited with ${code}: ${stderr}`))));
  });

describe('SQLite conditional appends from two processes', () => {
  let dir: string;
  let store: SqliteEventStore;
  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'clusterconf-sqlite-dcb-'));
    store = await SqliteEventStore.open({ path: join(dir, 'events.sqlite'), pollIntervalMs: 20, busyTimeoutMs: 30_000 });
  });
  afterEach(async () => {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('8 writers × 500 conditional appends, half of them in another process: no two conflicting appends both stored, no disjoint one refused, a live subscriber sees every event once', async () => {
    const writers = 8;
    const appendsPerWriter = 500;
    const prefix = 'dcb-';
    const subscription = store.subscribe({ pageSize: 200 });
    try {
      const inChild = writersInChild(join(dir, 'events.sqlite'), prefix, writers / 2, appendsPerWriter);
      const here = Promise.all(Array.from({ length: writers / 2 }, (_, w) => runDcbWriter(store, prefix, `parent-${w}`, appendsPerWriter)));
      const tally = sumTallies([await inChild, ...(await here)]);
      // Both processes raced on the counter: some of its appends were refused.
      expect(tally.refused).toBeGreaterThan(0);
      const received = await collectWorkload(subscription, prefix, tally.disjoint + tally.numbered);
      await expectWorkloadHeld(store, prefix, tally, { writers, appendsPerWriter }, received);
    } finally {
      await subscription.close();
    }
  });
});
