import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { subjectId } from '@clusterconf/domain';
import { PostgresKeyStore } from '@clusterconf/adapters/postgres';
import { SqliteKeyStore } from '@clusterconf/adapters/sqlite';
import { dropSchema, postgresAvailable, postgresUrl, uniqueSchema } from '../support/postgres.js';

const child = fileURLToPath(new URL('./fixtures/create-key-child.ts', import.meta.url));
const root = fileURLToPath(new URL('../..', import.meta.url));

/** Starts creators in separate processes, lets them all go at once, and returns the keys they got back. */
const createInProcesses = async (count: number, args: readonly string[]): Promise<string[]> => {
  const children: ChildProcessWithoutNullStreams[] = [];
  let readyCount = 0;
  // Every creator connected: let them all go together.
  const ready = (): void => {
    if (++readyCount === count) for (const proc of children) proc.stdin.end('go\n');
  };
  const lines = await Promise.all(Array.from({ length: count }, () => new Promise<string[]>((resolve, reject) => {
    const proc = spawn(process.execPath, ['--conditions=@clusterconf/source', '--import', 'tsx', child, ...args], { cwd: root });
    children.push(proc);
    let out = '';
    let err = '';
    proc.stdout.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      if (out === 'ready\n') ready();
    });
    proc.stderr.on('data', (chunk: Buffer) => (err += chunk.toString()));
    proc.on('exit', (code) => (code === 0 ? resolve(out.trim().split('\n')) : reject(new Error(`creator exited with ${code}: ${err}`))));
  })));
  return lines.map((printed) => printed[1]!);
};

describe('concurrent first keys of one subject from separate processes', () => {
  it('SQLite: every process gets the one key stored', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'clusterconf-keys-mp-'));
    try {
      const path = join(dir, 'keys.sqlite');
      await (await SqliteKeyStore.open({ path })).close();
      const keys = await createInProcesses(4, ['sqlite', path, 'attendee-ecc2020.ana']);
      expect(keys.every((key) => /^[0-9a-f]{64}$/.test(key))).toBe(true);
      expect(new Set(keys).size).toBe(1);
      const store = await SqliteKeyStore.open({ path });
      const stored = (await store.loadKeys([subjectId('attendee-ecc2020.ana')])).get(subjectId('attendee-ecc2020.ana'));
      await store.close();
      expect(stored?.state === 'active' && Buffer.from(stored.key).toString('hex')).toBe(keys[0]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it.skipIf(!postgresAvailable)('PostgreSQL: every process gets the one key stored', async () => {
    const schema = uniqueSchema('keys_mp');
    try {
      await (await PostgresKeyStore.open({ connectionString: postgresUrl, schema, poolSize: 1 })).close();
      const keys = await createInProcesses(4, ['postgres', postgresUrl, 'attendee-ecc2020.ana', schema]);
      expect(keys.every((key) => /^[0-9a-f]{64}$/.test(key))).toBe(true);
      expect(new Set(keys).size).toBe(1);
    } finally {
      await dropSchema(schema);
    }
  });
});
