import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { MemoryEventStore } from '@clusterconf/adapters/memory';
import { toNewEvents, type NewEvent, type RecordedEvent } from '@clusterconf/domain';
import { ExportFileError, ImportConflictError } from './cli-errors.js';
import { claimedEventCount, exportEvents, importEvents, importVerifiedExport, verifyExportFile } from './ndjson.js';

const event = (type: string, data: unknown): NewEvent =>
  toNewEvents('exported', [{ type, data }], { now: () => new Date('2020-11-10T09:00:00.000Z'), causationId: 'c' })[0]!;

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

  it('carries tags: a tagged event\'s line holds them, an untagged one has no tags field, and the import keeps them in order', async () => {
    const store = new MemoryEventStore();
    const [tagged] = toNewEvents('t-1', [{ type: 'VoteCast', data: {}, tags: ['attendee:ecc2020.a-1', 'ballot:ecc2020.ecmy-vote'] }], { now: () => new Date(0) });
    await store.appendToStream('t-1', [tagged!, event('Plain', {})]);
    const file = join(dir, 'tags.ndjson');
    const exported = await exportTo(store, file);
    const lines = readFileSync(file, 'utf8').trim().split('\n').slice(0, -1).map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(lines.map((line) => line.tags)).toEqual([['attendee:ecc2020.a-1', 'ballot:ecc2020.ecmy-vote'], undefined]);
    expect(Object.keys(lines[1]!)).not.toContain('tags');
    const target = new MemoryEventStore();
    expect(await importEvents(target, file)).toEqual(exported);
    expect((await collect(target)).map((e) => e.tags)).toEqual([['attendee:ecc2020.a-1', 'ballot:ecc2020.ecmy-vote'], []]);
  });

  it('round-trips keys that are special to JavaScript objects, such as "__proto__", as keys', async () => {
    const store = new MemoryEventStore();
    const data = JSON.parse('{"__proto__": {"polluted": true}, "constructor": 1, "toString": "x"}') as unknown;
    await store.appendToStream('p-1', [event('Odd', data)]);
    const file = join(dir, 'proto.ndjson');
    const exported = await exportTo(store, file);
    expect(readFileSync(file, 'utf8')).toContain('"__proto__":{"polluted":true}');
    const target = new MemoryEventStore();
    expect(await importEvents(target, file)).toEqual(exported);
    const [read] = await collect(target);
    expect(Object.hasOwn(read!.data as object, '__proto__')).toBe(true);
    expect(read!.data).toEqual(data);
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

  it('counts the events an import appended and those the target already held', async () => {
    const file = join(dir, 'out.ndjson');
    const exported = await exportTo(source, file);
    const target = new MemoryEventStore();
    const first = await importVerifiedExport(target, await verifyExportFile(file));
    expect(first).toEqual({ ...exported, newEvents: 4, presentEvents: 0 });
    const again = await importVerifiedExport(target, await verifyExportFile(file));
    expect(again).toEqual({ ...exported, newEvents: 0, presentEvents: 4 });

    // A target holding the first stream's first two events (an interrupted import) gets the rest as new.
    const partial = new MemoryEventStore();
    const stored = (await collect(source)).filter((recorded) => recorded.streamId === 'a-1').slice(0, 2);
    await partial.appendToStream('a-1', stored.map(({ type, data, metadata }) => ({ type, data, metadata })));
    const resumed = await importVerifiedExport(partial, await verifyExportFile(file), { batchSize: 1 });
    expect(resumed).toMatchObject({ newEvents: 2, presentEvents: 2 });
  });

  it('reports each phase\'s progress: lines checked, events appended, events found again', async () => {
    const file = join(dir, 'out.ndjson');
    await exportTo(source, file);
    const checked: number[] = [];
    const verified = await verifyExportFile(file, { onEvent: (n) => checked.push(n) });
    const appended: number[] = [];
    const found: [number, number][] = [];
    await importVerifiedExport(new MemoryEventStore(), verified, { onEvent: (n) => appended.push(n), onVerify: (n, total) => found.push([n, total]) });
    expect(checked).toEqual([1, 2, 3, 4]);
    // Consecutive events of a stream go in one append: a-1 twice, b-1, a-1 again.
    expect(appended).toEqual([2, 3, 4]);
    expect(found).toEqual([[0, 4], [1, 4], [2, 4], [3, 4], [4, 4]]);
    expect(claimedEventCount(file)).toBe(4);
    expect(claimedEventCount(join(dir, 'nope.ndjson'))).toBe(0);
    writeFileSync(join(dir, 'cut.ndjson'), readFileSync(file, 'utf8').split('\n').slice(0, 2).join('\n'));
    expect(claimedEventCount(join(dir, 'cut.ndjson'))).toBe(0);
  });

  it('refuses a file changed after it was verified, before appending anything', async () => {
    const file = join(dir, 'out.ndjson');
    await exportTo(source, file);
    const verified = await verifyExportFile(file);
    utimesSync(file, new Date(), new Date(Date.now() + 5000));
    const target = new MemoryEventStore();
    await expect(importVerifiedExport(target, verified)).rejects.toThrow(`${file}: the file changed after it was verified, so nothing was imported; run the import again`);
    expect(await collect(target)).toHaveLength(0);
  });

  it('refuses a target whose stream already holds other events, naming the stream and line', async () => {
    const file = join(dir, 'out.ndjson');
    await exportTo(source, file);
    const target = new MemoryEventStore();
    await target.appendToStream('a-1', [event('Other', {})]);
    const error = await importEvents(target, file).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(ImportConflictError);
    const other = (await collect(target))[0]!;
    const offered = (await collect(source))[0]!;
    expect((error as Error).message).toBe(`${file}:1: the target holds a different event at revision 0 of stream "a-1" ` +
      `(id ${other.metadata.eventId}, type "Other") where the file has id ${offered.metadata.eventId}, type "Opened": nothing from ` +
      'line 1 on was written, the events before it were (an import is resumable, not atomic); import into an empty store or one ' +
      'holding this same history, or remove the clashing stream from the target, then run the import again');
  });

  it('leaves the streams before a conflict written, and continues when run again after the target is fixed', async () => {
    const file = join(dir, 'out.ndjson');
    await exportTo(source, file);
    const target = new MemoryEventStore();
    await target.appendToStream('b-1', [event('Other', {})]);
    await expect(importEvents(target, file)).rejects.toThrow(/out\.ndjson:3: the target holds a different event at revision 0 of stream "b-1"/);
    expect((await collect(target)).map((recorded) => recorded.type)).toEqual(['Other', 'Opened', 'Noted']);

    const fixed = new MemoryEventStore();
    for (const recorded of (await collect(target)).filter((stored) => stored.streamId === 'a-1')) {
      await fixed.appendToStream(recorded.streamId, [{ type: recorded.type, data: recorded.data, metadata: recorded.metadata }]);
    }
    const resumed = await importEvents(fixed, file);
    expect(resumed.events).toBe(4);
    expect(await collect(fixed)).toHaveLength(4);
  });

  describe('refuses, before writing anything, a file with a valid checksum holding an event the stores would refuse', () => {
    /** Rewrites the export with `edit` applied to the event lines, and a trailer that matches again. */
    const rewrite = async (edit: (events: Record<string, unknown>[]) => Record<string, unknown>[]): Promise<string> => {
      const file = join(dir, 'bad.ndjson');
      await exportTo(source, file);
      const lines = readFileSync(file, 'utf8').trim().split('\n').slice(0, -1).map((line) => JSON.parse(line) as Record<string, unknown>);
      const edited = edit(lines).map((line) => JSON.stringify(line));
      const sha256 = createHash('sha256').update(edited.map((line) => `${line}\n`).join('')).digest('hex');
      writeFileSync(file, `${[...edited, JSON.stringify({ format: 'clusterconf-ndjson/1', events: edited.length, sha256 })].join('\n')}\n`);
      return file;
    };
    const at = (index: number, change: (line: Record<string, unknown>) => Record<string, unknown>) =>
      (events: Record<string, unknown>[]) => events.map((line, i) => (i === index ? change(line) : line));
    const meta = (line: Record<string, unknown>) => line.metadata as Record<string, unknown>;

    it.each([
      ['an eventId that is not a UUID', at(3, (line) => ({ ...line, metadata: { ...meta(line), eventId: 'not-a-uuid' } })), /:4: .*metadata\.eventId "not-a-uuid" is not a UUID/],
      ['an event without data', at(3, ({ data: _data, ...line }) => line), /:4: the event of stream "a-1" has no data/],
      ['an empty type', at(3, (line) => ({ ...line, type: '' })), /:4: .*its type must be a non-empty string/],
      ['a type starting with "$"', at(3, (line) => ({ ...line, type: '$Closed' })), /:4: .*types starting with "\$" are reserved/],
      ['metadata without a schemaVersion', at(3, (line) => ({ ...line, metadata: { ...meta(line), schemaVersion: undefined } })), /:4: .*metadata\.schemaVersion is missing; give a whole number >= 1/],
      ['metadata without correlationId and causationId', at(3, (line) => ({ ...line, metadata: { ...meta(line), correlationId: undefined, causationId: undefined } })),
        /:4: Event "Closed" for stream "a-1" was refused before writing: metadata\.correlationId is missing; give a non-empty string/],
      ['an occurredAt without a zone', at(3, (line) => ({ ...line, metadata: { ...meta(line), occurredAt: '2020-11-11T09:00:00' } })), /:4: .*metadata\.occurredAt "2020-11-11T09:00:00" is not an RFC 3339 instant/],
      ['metadata fields named with "$"', at(3, (line) => ({ ...line, metadata: { ...meta(line), $causationId: 'x' } })), /:4: .*metadata field "\$causationId" starts with "\$"/],
      ['data with a lone surrogate, which JSON text can escape', at(3, (line) => ({ ...line, data: { at: 'x\uD800' } })), /:4: .*data\.at is a string with a lone UTF-16 surrogate/],
      ['a stream id with a lone surrogate', at(3, (line) => ({ ...line, streamId: 'a-1\uDBFF' })), /:4: Invalid stream id .*lone UTF-16 surrogate/],
      ['an eventId repeated in another case', (events: Record<string, unknown>[]) => events.map((line, i) =>
        (i === 3 ? { ...line, metadata: { ...meta(line), eventId: String(meta(events[0]!).eventId).toUpperCase() } } : line)),
      /:4: eventId [0-9A-F-]+ already appears on line 1 \(ids compare case-insensitively\)/],
      ['a stream revision gap', at(3, (line) => ({ ...line, streamRevision: '3' })), /:4: stream "a-1" continues after revision 1 at revision 3, expected 2: .*export the source store again/],
      ['a stream not starting at revision 0', at(2, (line) => ({ ...line, streamRevision: '1' })), /:3: stream "b-1" starts at revision 1, expected 0/],
      ['a tag given twice', at(3, (line) => ({ ...line, tags: ['ballot:b', 'ballot:b'] })), /:4: .*its tag "ballot:b" appears twice/],
      ['tags that are not a list', at(3, (line) => ({ ...line, tags: 'ballot:b' })), /:4: .*its tags are string, not an array of strings/],
    ])('%s', async (_name, edit, message) => {
      const file = await rewrite(edit);
      await expect(verifyExportFile(file)).rejects.toThrow(message);
      const target = new MemoryEventStore();
      const error = await importEvents(target, file).catch((caught: unknown) => caught);
      expect(error).toBeInstanceOf(ExportFileError);
      expect((error as Error).message).toMatch(/nothing was imported/);
      expect(await collect(target)).toHaveLength(0);
    });
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
