import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { MemoryEventStore } from '@clusterconf/adapters/memory';
import { conferenceStream } from '@clusterconf/domain';
import { CONFERENCE_ID, DEFAULT_SEED } from '../ecc2020/generator.js';
import { firstEventId, writeEcc2020History } from '../ecc2020/write-history.js';
import { runInProcess as run } from '../in-process.test-helper.js';
import { parseSeed } from './seed.js';

describe('clusterconf seed', () => {
  const dir = mkdtempSync(join(tmpdir(), 'clusterconf-seed-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it.each(['', ' ', '-1', '1.5', '1e3', '0x10', 'seven', '4294967296'])('refuses --seed %j as a usage error (exit 2) before opening the store', async (seed) => {
    const store = join(dir, 'never.sqlite');
    const result = await run('seed', 'ecc2020', '--seed', seed, '--store', `sqlite:${store}`);
    expect(result.code).toBe(2);
    expect(result.stderr.trim()).toBe(`clusterconf: --seed "${seed}" is not a whole number from 0 to 4294967295; give e.g. --seed ${DEFAULT_SEED}`);
    expect(() => parseSeed(seed)).toThrow(/not a whole number/);
  });

  it('accepts digits only', () => {
    expect(parseSeed('0')).toBe(0);
    expect(parseSeed('007')).toBe(7);
    expect(parseSeed(String(DEFAULT_SEED))).toBe(DEFAULT_SEED);
  });

  it('knows the first event id a seed writes', async () => {
    const store = new MemoryEventStore();
    await writeEcc2020History(store, { seed: 7 });
    for await (const event of store.readStream(conferenceStream(CONFERENCE_ID), { maxCount: 1 })) {
      expect(event.metadata.eventId).toBe(firstEventId(7));
    }
    expect(firstEventId(7)).not.toBe(firstEventId(8));
  });

  it('leaves a store holding the same seed alone, and refuses one seeded with another seed', async () => {
    const store = `sqlite:${join(dir, 'ecc.sqlite')}`;
    const first = await run('seed', 'ecc2020', '--seed', '7', '--store', store);
    expect(first.code, first.stderr).toBe(0);

    const same = await run('seed', 'ecc2020', '--seed', '7', '--store', store);
    expect(same.code, same.stderr).toBe(0);
    expect(same.stdout).toMatch(/already holds the ECC 2020 history of seed 7 .*nothing written/);

    const other = await run('seed', 'ecc2020', '--store', store);
    expect(other.code).toBe(1);
    expect(other.stdout).toBe('');
    expect(other.stderr).toContain(`written with another seed (first event id ${firstEventId(7)}), not with seed ${DEFAULT_SEED} ` +
      `(first event id ${firstEventId(DEFAULT_SEED)}); nothing written`);
  }, 120_000);
});
