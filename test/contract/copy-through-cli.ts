import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'vitest';
import { exportEvents, importEvents } from '@clusterconf/cli';
import type { CopyLog } from '@clusterconf/adapters/testing';

/**
 * The round-trip property's copy of the log, through the CLI's own export and import (an NDJSON file), as
 * `clusterconf export` and `clusterconf import` move a log between stores: what one store reads back must survive
 * the file and be accepted by the next.
 */
export const copyThroughCli: CopyLog = async (source, target) => {
  const dir = mkdtempSync(join(tmpdir(), 'clusterconf-round-trip-'));
  try {
    let text = '';
    const exported = await exportEvents(source, (chunk) => {
      text += chunk;
    });
    const file = join(dir, 'export.ndjson');
    writeFileSync(file, text);
    expect(await importEvents(target, file)).toEqual(exported);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
};
