import Database from 'better-sqlite3';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SqliteEventStore } from '@clusterconf/adapters/sqlite';
import { toNewEvents, type NewEvent } from '@clusterconf/domain';
import { runInProcess as run } from '../in-process.test-helper.js';

const event = (n: number): NewEvent => toNewEvents('notes', [{ type: 'Noted', data: { n } }], { now: () => new Date('2020-11-11T18:00:00.000Z') })[0]!;

describe('clusterconf tail', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'clusterconf-tail-unit-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('reports an unreadable stored event on stderr in its place and goes on with the events after it', async () => {
    const file = join(dir, 'events.sqlite');
    const store = await SqliteEventStore.open({ path: file });
    await store.appendToStream('notes-1', [event(0), event(1), event(2)]);
    await store.close();
    const db = new Database(file);
    db.prepare("UPDATE events SET data = '{\"n\": ' WHERE stream_revision = 1").run();
    db.close();

    const result = await run('tail', '--store', `sqlite:${file}`, '--from', 'start', '--limit', '2');
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout.trim().split('\n')).toEqual(['1 notes-1@0 Noted {"n":0}', '3 notes-1@2 Noted {"n":2}']);
    expect(result.stderr).toMatch(/^2 notes-1@1 Noted is unreadable: Stored event at stream "notes-1" revision 1 \(position 2\) is unreadable: its data column is not valid JSON/m);
  });
});
