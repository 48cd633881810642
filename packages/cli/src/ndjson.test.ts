import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { MemoryEventStore } from '@clusterconf/adapters/memory';
import { newEventId, type NewEvent, type RecordedEvent } from '@clusterconf/domain';
import { ExportFileError, ImportConflictError } from './cli-errors.js';
import { exportEvents, importEvents, verifyExportFile } from './ndjson.js';

const event = (type: string, data: unknown): NewEvent => ({
  type,
  data,
  metadata: { eventId: newEventId(), occurredAt: '2020-11-10T09:00:00.000Z', correlationId: 'c', causationId: 'c', schemaVersion: 1 },
});

const collect = async (store: MemoryEventStore): Promise<RecordedEvent[]> => {
  const events: RecordedEvent[] = [];
  for await (const recorded of store.readAll()) events.push(recorded);
  return events;
};

const exportTo = async (store: MemoryEventStore, path: string) => {
  let text = '';
  const summary = await exportEvents(store, (chunk) => {
    text += chunk;
  });
  writeFileSync(path, text);
  return summary;
};

describe('NDJSON export and import', () => {
  let dir: string;
  let source: MemoryEventStore;

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'clusterconf-ndjson-'));
    source = new MemoryEventStore();
    await source.appendToStream('a-1', [event('Opened', { z: 1, a: [1, { y: 2, b: 3 }] }), event('Noted', { text: 'ü\n"' })], { expectedRevision: 'no_stream' });
    await source.appendToStream('b-1', [event('Opened', {})], { expectedRevision: 'no_stream' });
    await source.appendToStream('a-1', [event('Closed', { at: '2020-11-11' })], { expectedRevision: 1n });
  });

  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('round-trips every event with its stream, revision, data and metadata, in log order', async () => {
    const file = join(dir, 'out.ndjson');
    const exported = await exportTo(source, file);
    expect(exported.events).toBe(4);
    expect(readFileSync(file, 'utf8').trim().split('\n')).toHaveLength(5);

    const target = new MemoryEventStore();
    const imported = await importEvents(target, file);
    expect(imported).toEqual(exported);
    const strip = (events: RecordedEvent[]) => events.map(({ position: _position, ...rest }) => rest);
    expect(strip(await collect(target))).toEqual(strip(await collect(source)));
  });

  it('gives the same checksum when a store returns object keys in another order', async () => {
    const reordered = new MemoryEventStore();
    for await (const recorded of source.readAll()) {
      const data = Object.fromEntries(Object.entries(recorded.data as object).reverse());
      const metadata = Object.fromEntries(Object.entries(recorded.metadata).reverse()) as unknown as NewEvent['metadata'];
      await reordered.appendToStream(recorded.streamId, [{ type: recorded.type, data, metadata }]);
    }
    const a = await exportTo(source, join(dir, 'a.ndjson'));
    const b = await exportTo(reordered, join(dir, 'b.ndjson'));
    expect(b.sha256).toBe(a.sha256);
  });

  it('can be run twice into the same target without storing anything twice', async () => {
    const file = join(dir, 'out.ndjson');
    await exportTo(source, file);
    const target = new MemoryEventStore();
    await importEvents(target, file);
    const again = await importEvents(target, file);
    expect(again.events).toBe(4);
    expect(await collect(target)).toHaveLength(4);
  });

  it('refuses a target whose stream already holds other events, naming the stream and line', async () => {
    const file = join(dir, 'out.ndjson');
    await exportTo(source, file);
    const target = new MemoryEventStore();
    await target.appendToStream('a-1', [event('Other', {})]);
    const error = await importEvents(target, file).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(ImportConflictError);
    expect((error as Error).message).toMatch(/out\.ndjson:1: stream "a-1" in the target is at revision 0/);
  });

  it('imports nothing from an altered or truncated file', async () => {
    const file = join(dir, 'out.ndjson');
    await exportTo(source, file);
    const lines = readFileSync(file, 'utf8').trim().split('\n');

    writeFileSync(file, `${[lines[0]!.replace('"z":1', '"z":2'), ...lines.slice(1)].join('\n')}\n`);
    await expect(verifyExportFile(file)).rejects.toThrow(/checksum mismatch/);
    const target = new MemoryEventStore();
    await expect(importEvents(target, file)).rejects.toBeInstanceOf(ExportFileError);
    expect(await collect(target)).toHaveLength(0);

    writeFileSync(file, `${lines.slice(0, 3).join('\n')}\n`);
    await expect(importEvents(target, file)).rejects.toThrow(/no trailer line: the export is truncated/);
    expect(await collect(target)).toHaveLength(0);
  });

  it('names a missing file and how to make one', async () => {
    await expect(verifyExportFile(join(dir, 'nope.ndjson'))).rejects.toThrow(/No such file: .*nope\.ndjson: .*clusterconf export/);
  });
});
