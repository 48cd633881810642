import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { SqliteEventStore } from '@clusterconf/adapters/sqlite';
import { newEventId } from '@clusterconf/domain';
import { repoRoot, runCli } from './spawn-tsx.js';

describe('clusterconf tail', () => {
  const dir = mkdtempSync(join(tmpdir(), 'clusterconf-tail-'));
  const file = join(dir, 'live.sqlite');
  let child: ChildProcess | undefined;
  afterAll(() => {
    // Never leave a tail running behind a failed or timed-out test.
    if (child?.exitCode === null) child.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  });

  it('prints events another process appends after it started, and stops after --limit', async () => {
    const seeded = await runCli(['seed', 'ecc2020', '--store', `sqlite:${file}`]);
    expect(seeded.code, seeded.stderr).toBe(0);

    const tail = spawn(process.execPath, [
      '--conditions=@clusterconf/source', '--import', 'tsx', 'packages/cli/src/main.ts',
      'tail', '--store', `sqlite:${file}`, '--limit', '2', '--stream', 'live-',
    ], { cwd: repoRoot, stdio: ['ignore', 'pipe', 'pipe'] });
    child = tail;
    let stdout = '';
    let stderr = '';
    tail.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    const following = new Promise<void>((resolve) => {
      tail.stderr.setEncoding('utf8').on('data', (chunk: string) => {
        stderr += chunk;
        if (stderr.includes('following')) resolve();
      });
    });
    const exited = new Promise<number | null>((resolve) => tail.on('close', resolve));
    await following;
    expect(stderr).toMatch(/following sqlite:.*live\.sqlite after position \d+/);

    const store = await SqliteEventStore.open({ path: file });
    try {
      const metadata = () => ({ eventId: newEventId(), occurredAt: '2020-11-11T18:00:00.000Z', correlationId: 'c', causationId: 'c', schemaVersion: 1 });
      await store.appendToStream('other-1', [{ type: 'Ignored', data: {}, metadata: metadata() }]);
      await store.appendToStream('live-1', [{ type: 'Noted', data: { n: 1 }, metadata: metadata() }]);
      await store.appendToStream('live-1', [{ type: 'Noted', data: { n: 2 }, metadata: metadata() }]);
    } finally {
      await store.close();
    }
    expect(await exited).toBe(0);
    expect(stdout.trim().split('\n')).toEqual([
      expect.stringMatching(/^\d+ live-1@0 Noted \{"n":1\}$/),
      expect.stringMatching(/^\d+ live-1@1 Noted \{"n":2\}$/),
    ]);
  }, 180_000);
});
