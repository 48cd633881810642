import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { RecordedEvent } from '@clusterconf/domain';
import { comparePositions } from '@clusterconf/domain';
import { SqliteEventStore } from '@clusterconf/adapters/sqlite';
import { newEvent } from '@clusterconf/adapters/testing';

const child = fileURLToPath(new URL('./fixtures/sqlite-append-child.ts', import.meta.url));
const awaitingChild = fileURLToPath(new URL('./fixtures/sqlite-await-subscription-child.ts', import.meta.url));

/** Runs the append script in a separate Node process and resolves when it exits successfully. */
const appendFromChild = (path: string, streamId: string, count: number): Promise<string> =>
  new Promise((resolve, reject) => {
    const proc = spawn(process.execPath, ['--conditions=@clusterconf/source', '--import', 'tsx', child, path, streamId, String(count)], {
      cwd: fileURLToPath(new URL('../..', import.meta.url)),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    proc.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    proc.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    proc.on('error', reject);
    proc.on('exit', (code) => (code === 0 ? resolve(stdout) : reject(new Error(`child exited with ${code}: ${stderr}`))));
  });

describe('SQLite event store shared by two processes', () => {
  let dir: string;
  let store: SqliteEventStore;
  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'clusterconf-sqlite-mp-'));
    store = await SqliteEventStore.open({ path: join(dir, 'events.sqlite'), pollIntervalMs: 20 });
  });
  afterEach(async () => {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('a live subscriber here sees every event another process appends to the same stream as this one, revisions unbroken', async () => {
    const path = join(dir, 'events.sqlite');
    const subscription = store.subscribe({ pageSize: 50 });
    const iterator = subscription[Symbol.asyncIterator]();
    expect((await iterator.next()).value).toEqual({ kind: 'caughtUp', position: undefined });

    const fromChild = 300;
    const fromParent = 100;
    const childDone = appendFromChild(path, 'shared-stream', fromChild);
    const received: RecordedEvent[] = [];
    const consuming = (async () => {
      while (received.length < fromChild + fromParent) {
        const next = await iterator.next();
        if (next.done) throw new Error(`subscription ended after ${received.length} events`);
        if (next.value.kind === 'event') received.push(next.value.event);
      }
    })();
    for (let i = 0; i < fromParent; i++) {
      await store.appendToStream('shared-stream', [newEvent('FromParent', { i })]);
      // Yield to the event loop so the child's commits interleave with ours.
      await new Promise((resolve) => setImmediate(resolve));
    }
    expect(await childDone).toBe('done\n');
    await consuming;
    await subscription.close();

    const fromOther = received.filter((e) => e.type === 'FromChild');
    expect(fromOther.map((e) => (e.data as { i: number }).i)).toEqual(Array.from({ length: fromChild }, (_, i) => i));
    // Both processes appended to one stream with BEGIN IMMEDIATE: every revision is taken exactly once.
    expect(received.map((e) => e.streamRevision)).toEqual(Array.from({ length: fromChild + fromParent }, (_, i) => BigInt(i)));
    for (let i = 1; i < received.length; i++) expect(comparePositions(received[i - 1]!.position, received[i]!.position)).toBeLessThan(0);
    const log: RecordedEvent[] = [];
    for await (const event of store.readAll()) log.push(event);
    expect(received.map((e) => e.metadata.eventId)).toEqual(log.map((e) => e.metadata.eventId));
  });

  it('a filtered subscriber here gets each matching event once while another process appends what it does not match', async () => {
    const path = join(dir, 'events.sqlite');
    // Matches are sparse, so pages are finished by filtered scans in SQLite while the child commits around them.
    const subscription = store.subscribe({ filter: { eventTypes: ['FromParent'] }, pageSize: 20 });
    const iterator = subscription[Symbol.asyncIterator]();
    const fromChild = 400;
    const fromParent = 40;
    const childDone = appendFromChild(path, 'child-stream', fromChild);
    const received: RecordedEvent[] = [];
    const consuming = (async () => {
      while (received.length < fromParent) {
        const next = await iterator.next();
        if (next.done) throw new Error(`subscription ended after ${received.length} events`);
        if (next.value.kind === 'event') received.push(next.value.event);
      }
    })();
    for (let i = 0; i < fromParent; i++) {
      await store.appendToStream(`parent-${i}`, [newEvent('FromParent', { i })]);
      await new Promise((resolve) => setTimeout(resolve, 2));
    }
    expect(await childDone).toBe('done\n');
    await consuming;
    await subscription.close();
    expect(received.map((e) => (e.data as { i: number }).i)).toEqual(Array.from({ length: fromParent }, (_, i) => i));
    const log: RecordedEvent[] = [];
    for await (const event of store.readAll({ filter: { eventTypes: ['FromParent'] } })) log.push(event);
    expect(received.map((e) => e.position)).toEqual(log.map((e) => e.position));
  });

  it('keeps a process alive while its only work is a subscription waiting for another process to append', async () => {
    const path = join(dir, 'events.sqlite');
    const proc = spawn(process.execPath, ['--conditions=@clusterconf/source', '--import', 'tsx', awaitingChild, path], {
      cwd: fileURLToPath(new URL('../..', import.meta.url)),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    const subscribed = new Promise<void>((resolve) =>
      proc.stdout.on('data', (chunk: Buffer) => {
        stdout += chunk.toString();
        if (stdout.includes('subscribed')) resolve();
      }),
    );
    proc.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const exited = new Promise<number | null>((resolve) => proc.on('exit', resolve));
    await subscribed;
    // Give an idle process every chance to exit early before anything is appended.
    await new Promise((resolve) => setTimeout(resolve, 300));
    await store.appendToStream('wake-up', [newEvent('WokeUp', {})]);
    expect(await exited, stderr).toBe(0);
    expect(stdout).toBe('subscribed\nWokeUp\n');
  });
});
