/**
 * `clusterconf import` of a file whose events break the metadata rules writes nothing, on SQLite and PostgreSQL,
 * and names the line and the field. Before the one event contract, such a file (events without correlationId and
 * causationId) imported into PostgreSQL in full and then could not be read or exported again.
 */
import Database from 'better-sqlite3';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SqliteEventStore } from '@clusterconf/adapters/sqlite';
import { PostgresEventStore } from '@clusterconf/adapters/postgres';
import { eventLine, ExportFileError, importEvents, runCli, trailerLine } from '@clusterconf/cli';
import { newEventId, type EventStore } from '@clusterconf/domain';
import { createHash } from 'node:crypto';
import { dropSchema, postgresAvailable, postgresConfig, postgresUrl, uniqueSchema } from '../support/postgres.js';

const VALID_LINES = 200;

/** Metadata as an export holds it, with `change` applied (a field set to undefined is left out of the line). */
const metadata = (change: Record<string, unknown> = {}) => {
  const eventId = newEventId();
  return { eventId, occurredAt: '2020-11-10T09:00:00Z', correlationId: eventId, causationId: eventId, schemaVersion: 1, ...change };
};

/** An export file: `VALID_LINES` good events of one stream, then one whose metadata has `change`, then a trailer that matches. */
const writeExport = (path: string, change: Record<string, unknown>): void => {
  const lines = Array.from({ length: VALID_LINES + 1 }, (_, revision) =>
    eventLine({
      streamId: 'imported-1',
      streamRevision: BigInt(revision),
      type: 'AttendeeRegistered',
      data: { attendeeId: `attendee-${revision}` },
      metadata: (revision === VALID_LINES ? metadata(change) : metadata()) as never,
    }));
  const sha256 = createHash('sha256').update(lines.map((line) => `${line}\n`).join('')).digest('hex');
  writeFileSync(path, `${[...lines, trailerLine({ events: lines.length, sha256 })].join('\n')}\n`);
};

const BAD_LINE = VALID_LINES + 1;
const cases: readonly [string, Record<string, unknown>, RegExp][] = [
  ['no correlationId or causationId', { correlationId: undefined, causationId: undefined }, /metadata\.correlationId is missing; give a non-empty string/],
  ['occurredAt without a zone', { occurredAt: '2020-11-10 09:00:00' }, /metadata\.occurredAt "2020-11-10 09:00:00" is not an RFC 3339 instant with a zone/],
  ['eventId 42', { eventId: 42 }, /metadata\.eventId is missing|metadata\.eventId 42 is not a UUID/],
  ['schemaVersion "1"', { schemaVersion: '1' }, /metadata\.schemaVersion "1" is not a whole number >= 1/],
];

/** Runs `clusterconf …` in this process. */
const cli = async (...args: string[]): Promise<{ code: number; stderr: string }> => {
  const out = new PassThrough();
  const err = new PassThrough();
  let stderr = '';
  err.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  out.resume();
  const code = await runCli(['node', 'clusterconf', ...args], { out, err, cwd: tmpdir(), env: {} });
  return { code, stderr };
};

/** Registers the cases for one backend: `rows()` counts the stored events by SQL, beside the store. */
const describeImportRefusals = (name: string, setup: () => Promise<{ store: EventStore; url: string; rows: () => Promise<number>; cleanup: () => Promise<void> }>) => {
  describe(`import into ${name} refuses events with missing or malformed metadata before writing`, () => {
    let dir: string;
    let handle: Awaited<ReturnType<typeof setup>>;
    beforeAll(async () => {
      dir = mkdtempSync(join(tmpdir(), 'clusterconf-import-refusals-'));
      handle = await setup();
      // A target that already holds events: a refused import must leave them as they are, and add none.
      await handle.store.appendToStream('existing-1', [1, 2, 3].map((i) => ({ type: 'Noted', data: { i }, metadata: metadata() })));
    });
    afterAll(async () => {
      await handle.cleanup();
      rmSync(dir, { recursive: true, force: true });
    });

    it.each(cases)('%s: through importEvents and through the command, naming the line and the field', async (label, change, problem) => {
      const file = join(dir, `${label.replace(/\W+/g, '-')}.ndjson`);
      writeExport(file, change);
      expect(await handle.rows()).toBe(3);

      const error = await importEvents(handle.store, file).then(() => undefined, (caught: unknown) => caught);
      expect(error).toBeInstanceOf(ExportFileError);
      expect(error).toMatchObject({ line: BAD_LINE });
      expect((error as Error).message).toMatch(new RegExp(`^${file.replace(/[.\\/]/g, '\\$&')}:${BAD_LINE}: Event "AttendeeRegistered" for stream "imported-1" was refused before writing: `));
      expect((error as Error).message).toMatch(problem);
      expect((error as Error).message).toMatch(/nothing was imported/);
      expect(await handle.rows()).toBe(3);

      const run = await cli('import', file, '--store', handle.url);
      expect(run.code).not.toBe(0);
      expect(run.stderr).toContain(`${file}:${BAD_LINE}: `);
      expect(run.stderr).toMatch(problem);
      expect(await handle.rows()).toBe(3);
    });
  });
};

describeImportRefusals('SQLite', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'clusterconf-import-sqlite-'));
  const path = join(dir, 'events.sqlite');
  const store = await SqliteEventStore.open({ path });
  const counter = new Database(path, { readonly: true });
  return {
    store,
    url: `sqlite:${path}`,
    rows: async () => (counter.prepare('select count(*) as n from events').get() as { n: number }).n,
    cleanup: async () => {
      counter.close();
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
});

describe.skipIf(!postgresAvailable)('PostgreSQL', () => {
  describeImportRefusals('PostgreSQL', async () => {
    const schema = uniqueSchema('import_refusals');
    const store = await PostgresEventStore.open({ connectionString: postgresUrl, schema });
    const counter = new pg.Client(postgresConfig);
    await counter.connect();
    return {
      store,
      url: `${postgresUrl}?schema=${schema}`,
      rows: async () => Number((await counter.query<{ n: string }>(`select count(*) as n from "${schema}".events`)).rows[0]!.n),
      cleanup: async () => {
        await counter.end();
        await store.close();
        await dropSchema(schema);
      },
    };
  });
});
