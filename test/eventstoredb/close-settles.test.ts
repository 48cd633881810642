import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { seedTally } from '../projections/fixtures/tally-projection.js';
import { startTestServerStore, type TestServerStore } from './test-server-store.js';

const fixture = fileURLToPath(new URL('./fixtures/close-at-top-level.ts', import.meta.url));
const awaitingFixture = fileURLToPath(new URL('./fixtures/await-subscription-at-top-level.ts', import.meta.url));

const run = (
  connectionString: string,
  script = fixture,
  onStdout: (stdout: string) => void = () => undefined,
): Promise<{ code: number | null; stdout: string; stderr: string }> =>
  new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--conditions=@clusterconf/source', '--import', 'tsx', script, connectionString], { stdio: ['ignore', 'pipe', 'pipe'] });
    // A close() that never settles shows as this timeout rather than as the whole test's.
    const timer = setTimeout(() => child.kill(), 30_000);
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => onStdout((stdout += chunk)));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });

// The TEST SERVER runs in this process; the store under test runs in a child that has nothing else to keep it alive.
describe('EventStoreDB adapter: close() in a script', () => {
  let running: TestServerStore | undefined;
  afterEach(async () => {
    await running?.cleanup();
  });

  it('settles a top-level await store.close() after abandoned reads and a projection runner that caught up and stopped', async () => {
    running = await startTestServerStore();
    await seedTally(running.store, 2000);
    const result = await run(running.server.connectionString);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toContain('closed after reading 2000 events');
  });

  it('keeps a script alive while its only work is a live subscription waiting for another process to append', async () => {
    running = await startTestServerStore();
    const { store } = running;
    let appended = false;
    const result = await run(running.server.connectionString, awaitingFixture, (stdout) => {
      if (appended || !stdout.includes('subscribed')) return;
      appended = true;
      // Give an idle process every chance to exit early before anything is appended.
      setTimeout(() => void seedTally(store, 1), 300);
    });
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toMatch(/^subscribed\n\S+\n$/);
  });
});
