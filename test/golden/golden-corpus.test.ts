import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as E from 'fp-ts/lib/Either.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MemoryEventStore } from '@clusterconf/adapters/memory';
import { PostgresEventStore } from '@clusterconf/adapters/postgres';
import { SqliteEventStore } from '@clusterconf/adapters/sqlite';
import { importEvents, type ExportedEvent } from '@clusterconf/cli';
import {
  conferenceEvents, conferenceEventSchemaSnapshotUrl, parseEventSchemaSnapshot, type EventStore, type RecordedEvent,
} from '@clusterconf/domain';
import { startTestServerStore } from '../eventstoredb/test-server-store.js';
import { dropSchema, postgresAvailable, postgresUrl, uniqueSchema } from '../support/postgres.js';
import { recordedSchemaMismatch } from './recorded-schema-match.js';

// Stored conference events of every schema version that ever existed, in the CLI's export format, and what the
// current code must decode each of them to. The corpus only grows: see "The golden corpus" in the domain README.
const corpusPath = fileURLToPath(new URL('./conference-events.ndjson', import.meta.url));
const DECODED = './conference-events.decoded.json';

const corpus: ExportedEvent[] = readFileSync(corpusPath, 'utf8').trim().split('\n').slice(0, -1).map((line) => JSON.parse(line) as ExportedEvent);
const snapshotPath = fileURLToPath(conferenceEventSchemaSnapshotUrl);
const recorded = parseEventSchemaSnapshot(readFileSync(snapshotPath, 'utf8'), snapshotPath);
const versionOf = (event: ExportedEvent): string => `${event.type} v${event.metadata.schemaVersion}`;

/** The decoded form of a stored event, as the expected file records it. */
const decoded = (event: RecordedEvent) => {
  const result = conferenceEvents.decode(event);
  if (E.isLeft(result)) throw new Error(`the current code cannot decode golden event ${event.metadata.eventId}: ${result.left.message}`);
  const { streamId, streamRevision, type, metadata: { eventId, schemaVersion } } = event;
  return { streamId, streamRevision: streamRevision.toString(), type, schemaVersion, eventId, data: sortedKeys(result.right.data) };
};

/** `value` with every object's keys in order, so that the expected file does not depend on how a store orders them. */
const sortedKeys = (value: unknown): unknown =>
  Array.isArray(value) ? value.map(sortedKeys)
    : typeof value === 'object' && value !== null
      ? Object.fromEntries(Object.keys(value).sort().map((key) => [key, sortedKeys((value as Record<string, unknown>)[key])]))
      : value;

const collect = async (events: AsyncIterable<RecordedEvent>): Promise<RecordedEvent[]> => {
  const all: RecordedEvent[] = [];
  for await (const event of events) all.push(event);
  return all;
};

describe('the golden corpus', () => {
  it('holds an event of every schema version the conference snapshot records, and of every union member', () => {
    const held = new Set(corpus.map(versionOf));
    const everVersions = Object.entries(recorded.events).flatMap(([type, versions]) => Object.keys(versions).map((version) => `${type} v${version}`));
    expect(everVersions.filter((version) => !held.has(version)), `${corpusPath} lacks events of these versions: add some, as the domain README ` +
      'says ("The golden corpus")').toEqual([]);
    const grants = corpus.filter((event) => event.type === 'AwardGranted').map((event) =>
      `v${event.metadata.schemaVersion} ${(event.data as { decidedBy: { kind: string } }).decidedBy.kind}`);
    expect(new Set(grants)).toEqual(new Set(['v1 jury', 'v1 vote', 'v2 vote', 'v2 jury']));
  });

  it('holds only payloads of the shape their version recorded, so each event is what its version stored', () => {
    const mismatches = corpus.flatMap((event) => {
      const schema = recorded.events[event.type]?.[String(event.metadata.schemaVersion)];
      const miss = schema === undefined ? 'no recorded schema' : recordedSchemaMismatch(schema, event.data);
      return miss === undefined ? [] : [`${event.metadata.eventId} (${versionOf(event)}): ${miss}`];
    });
    expect(mismatches).toEqual([]);
    // The v1 vote grant is not a v2 one, and the reverse: the snapshot keeps the two shapes apart.
    const [v1Vote, v2Vote] = ['1', '2'].map((version) => corpus.find((event) =>
      event.type === 'AwardGranted' && String(event.metadata.schemaVersion) === version && (event.data as { decidedBy: { kind: string } }).decidedBy.kind === 'vote')!);
    expect(recordedSchemaMismatch(recorded.events.AwardGranted!['2']!, v1Vote!.data)).toMatch(/^decidedBy: matches no member .*decidedBy\.conferenceId: missing/);
    expect(recordedSchemaMismatch(recorded.events.AwardGranted!['1']!, v2Vote!.data)).toMatch(/decidedBy\.conferenceId: not a field of the recorded schema/);
  });
});

interface OpenedStore {
  readonly store: EventStore;
  readonly cleanup: () => Promise<void>;
}

const stores: readonly { readonly name: string; readonly skip?: boolean; readonly open: () => Promise<OpenedStore> }[] = [
  { name: 'memory', open: async () => {
    const store = new MemoryEventStore();
    return { store, cleanup: () => store.close() };
  } },
  { name: 'SQLite', open: async () => {
    const dir = mkdtempSync(join(tmpdir(), 'clusterconf-golden-'));
    const store = await SqliteEventStore.open({ path: join(dir, 'events.sqlite') });
    return { store, cleanup: async () => {
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    } };
  } },
  { name: 'PostgreSQL', skip: !postgresAvailable, open: async () => {
    const schema = uniqueSchema('golden');
    const store = await PostgresEventStore.open({ connectionString: postgresUrl, schema });
    return { store, cleanup: async () => {
      await store.close();
      await dropSchema(schema);
    } };
  } },
  // The in-process gRPC test server (test/eventstoredb/test-server) behind the real client and adapter.
  { name: 'EventStoreDB test server', open: async () => {
    const running = await startTestServerStore();
    return { store: running.store, cleanup: running.cleanup };
  } },
];

for (const { name, skip, open } of stores) {
  describe.skipIf(skip === true)(`the golden corpus through ${name}`, () => {
    let opened: OpenedStore;
    beforeAll(async () => {
      opened = await open();
      // The CLI's import: every event appended, then the whole log read back and checked against count and checksum.
      await importEvents(opened.store, corpusPath);
    });
    afterAll(() => opened?.cleanup());

    it('decodes every stored event with the current registry to the expected value (readAll)', async () => {
      const events = (await collect(opened.store.readAll())).map(decoded);
      expect(events.map((event) => event.eventId)).toEqual(corpus.map((event) => event.metadata.eventId));
      await expect(`${JSON.stringify(events, null, 2)}\n`).toMatchFileSnapshot(DECODED);
    });

    it('reads each stream back in revision order, decoding as the log does (readStream)', async () => {
      const all = (await collect(opened.store.readAll())).map(decoded);
      for (const streamId of new Set(corpus.map((event) => event.streamId))) {
        const stream = (await collect(opened.store.readStream(streamId))).map(decoded);
        expect(stream, streamId).toEqual(all.filter((event) => event.streamId === streamId));
      }
    });
  });
}
