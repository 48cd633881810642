import { afterEach, describe, expect, it } from 'vitest';
import { POSTGRES_EVENT_STORE_MIGRATIONS, PostgresEventStore, PostgresReadModelStore, SchemaVersionError, TransactionIdsAheadError } from '@clusterconf/adapters/postgres';
import { serializeEvents } from '@clusterconf/domain';
import { newEvent } from '@clusterconf/adapters/testing';
import { dropSchema, postgresAvailable, postgresUrl, uniqueSchema } from '../support/postgres.js';
import { collect, openStore, rawClient } from './fixtures.js';

/** The test database's name, as an identifier. */
const postgresUrlDatabase = `"${new URL(postgresUrl).pathname.slice(1)}"`;

const migrationVersions = async (schema: string): Promise<number[]> => {
  const client = await rawClient();
  try {
    const result = await client.query<{ version: number }>(`select version from "${schema}".schema_migrations order by version`);
    return result.rows.map((row) => row.version);
  } finally {
    await client.end();
  }
};

describe.skipIf(!postgresAvailable)('PostgreSQL event-store migrations', () => {
  const schemas: string[] = [];
  const fresh = () => {
    const schema = uniqueSchema('migrate');
    schemas.push(schema);
    return schema;
  };
  afterEach(async () => {
    for (const schema of schemas.splice(0)) await dropSchema(schema);
  });

  it('reopening a migrated schema changes nothing and keeps its events', async () => {
    const schema = fresh();
    const first = await openStore(schema);
    await first.appendToStream('kept', [newEvent('Kept', { n: 1 })]);
    const versions = await migrationVersions(schema);
    await first.close();
    const second = await openStore(schema);
    try {
      expect(await migrationVersions(schema)).toEqual(versions);
      expect(versions).toEqual(Array.from({ length: versions.length }, (_, i) => i + 1));
      expect((await collect(second.readStream('kept'))).map((e) => e.data)).toEqual([{ n: 1 }]);
    } finally {
      await second.close();
    }
  });

  it('a role that may use the tables but create nothing opens a schema already migrated, both stores', async () => {
    const schema = fresh();
    const role = `cc_app_${schema}`.slice(0, 63);
    const admin = await rawClient();
    try {
      await (await openStore(schema)).close();
      const models = await PostgresReadModelStore.open({ connectionString: postgresUrl, schema });
      await models.close();
      // What an application role gets in production: the tables and the append function, no CREATE anywhere.
      await admin.query(`create role ${role} login`);
      await admin.query(`revoke create on database ${postgresUrlDatabase} from public`);
      await admin.query(`grant usage on schema "${schema}" to ${role}`);
      await admin.query(`grant select, insert, update, delete on all tables in schema "${schema}" to ${role}`);
      await admin.query(`grant execute on all functions in schema "${schema}" to ${role}`);
      const asApp = postgresUrl.replace(/\/\/[^@]*@/, `//${role}@`);
      const events = await PostgresEventStore.open({ connectionString: asApp, schema });
      const readModels = await PostgresReadModelStore.open({ connectionString: asApp, schema });
      try {
        await events.appendToStream('app', [newEvent('ByApp', {})]);
        expect((await collect(events.readStream('app'))).map((e) => e.type)).toEqual(['ByApp']);
      } finally {
        await readModels.close();
        await events.close();
      }
    } finally {
      await admin.query(`grant create on database ${postgresUrlDatabase} to public`).catch(() => undefined);
      await admin.query(`drop owned by ${role}`).catch(() => undefined);
      await admin.query(`drop role if exists ${role}`).catch(() => undefined);
      await admin.end();
    }
  });

  it('stores opened at once on a new schema wait for one another instead of racing to create it', async () => {
    const schema = fresh();
    const stores = await Promise.all(Array.from({ length: 4 }, () => openStore(schema, { poolSize: 2 })));
    try {
      await Promise.all(stores.map((store, i) => store.appendToStream(`s-${i}`, [newEvent('Opened', { i })])));
      expect((await collect(stores[0]!.readAll())).length).toBe(4);
      const versions = await migrationVersions(schema);
      expect(new Set(versions).size).toBe(versions.length);
    } finally {
      for (const store of stores) await store.close();
    }
  });

  it('an event store and a read-model store opened at once on a new schema both open, on each of 10 new schemas', async () => {
    const fresh10 = Array.from({ length: 10 }, fresh);
    // Both histories create the schema; opened together they must not race on pg_namespace (23505).
    const opened = await Promise.allSettled(
      fresh10.flatMap((schema) => [openStore(schema, { poolSize: 1 }), PostgresReadModelStore.open({ connectionString: postgresUrl, schema, poolSize: 1 })]),
    );
    for (const result of opened) if (result.status === 'fulfilled') await result.value.close();
    expect(opened.flatMap((result) => (result.status === 'rejected' ? [String(result.reason)] : []))).toEqual([]);
  });

  it('upgrades a schema written by the first release in place: its events read back untagged, and the new append takes tags', async () => {
    const schema = fresh();
    const q = `"${schema}"`;
    const admin = await rawClient();
    const [before] = serializeEvents('conference-ecc2020', [newEvent('ConferenceScheduled', { name: 'ECC 2020' })]);
    try {
      // The schema as the first release left it, with one event appended through that release's function.
      await admin.query(`create schema ${q}`);
      await admin.query(`create table ${q}.schema_migrations (version integer primary key, applied_at timestamptz not null default now())`);
      await admin.query(POSTGRES_EVENT_STORE_MIGRATIONS[0]!(q));
      await admin.query(`insert into ${q}.schema_migrations (version) values (1)`);
      await admin.query(`select * from ${q}.append_events($1, 'no_stream', $2::uuid[], $3::text[], $4::text[], $5::text[])`,
        ['conference-ecc2020', [before!.eventId], [before!.type], [before!.data], [before!.metadata]]);
    } finally {
      await admin.end();
    }
    const store = await openStore(schema);
    try {
      expect(await migrationVersions(schema)).toEqual(POSTGRES_EVENT_STORE_MIGRATIONS.map((_, i) => i + 1));
      await store.appendToStream('conference-ecc2020', [{ ...newEvent('AttendeeRegistered', { n: 1 }), tags: ['attendee:a-1', 'conference:ecc2020'] }], { expectedRevision: 0n });
      const read = await collect(store.readStream('conference-ecc2020'));
      expect(read.map((e) => ({ type: e.type, tags: e.tags, eventId: e.metadata.eventId }))).toEqual([
        { type: 'ConferenceScheduled', tags: [], eventId: before!.eventId },
        { type: 'AttendeeRegistered', tags: ['attendee:a-1', 'conference:ecc2020'], eventId: read[1]!.metadata.eventId },
      ]);
      expect((await collect(store.readAll())).map((e) => e.tags)).toEqual([[], ['attendee:a-1', 'conference:ecc2020']]);
    } finally {
      await store.close();
    }
  });

  it('refuses a schema migrated by a newer version of the code, naming both versions', async () => {
    const schema = fresh();
    await (await openStore(schema)).close();
    const known = (await migrationVersions(schema)).at(-1)!;
    const client = await rawClient();
    try {
      await client.query(`insert into "${schema}".schema_migrations (version) values ($1)`, [known + 1]);
    } finally {
      await client.end();
    }
    const error = await openStore(schema).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(SchemaVersionError);
    expect(error).toMatchObject({ code: 'SCHEMA_VERSION_TOO_NEW', schema, found: known + 1, known });
    expect((error as Error).message).toContain(`version ${known + 1}`);
  });

  it('refuses a schema whose events carry transaction ids the server has not reached (a logical copy), saying what to do', async () => {
    const schema = fresh();
    const store = await openStore(schema);
    await store.appendToStream('copied', [newEvent('Copied', {})]);
    await store.close();
    // What pg_dump and restore into a younger cluster leaves: a stored transaction id beyond the server's counter.
    const future = 2n ** 62n;
    const client = await rawClient();
    try {
      await client.query(`insert into "${schema}".events (transaction_id, stream_id, stream_revision, event_id, type, data, metadata)
        select $1::text::xid8, stream_id, stream_revision + 1, gen_random_uuid(), type, data, metadata from "${schema}".events`, [future.toString()]);
    } finally {
      await client.end();
    }
    const error = await openStore(schema).then(
      (opened) => opened.close(),
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(TransactionIdsAheadError);
    expect(error).toMatchObject({ code: 'TRANSACTION_IDS_AHEAD_OF_SERVER', schema, newestStored: future });
    expect((error as Error).message).toMatch(/logically \(pg_dump and restore, or logical replication\)/);
    expect((error as Error).message).toMatch(/Re-append the events into a fresh schema/);
    // Nothing of the refused open is left connected.
    const probe = await rawClient();
    try {
      const { rows } = await probe.query<{ n: number }>('select count(*)::int as n from pg_stat_activity where application_name = $1', [`clusterconf-listen:${schema}`]);
      expect(rows[0]!.n).toBe(0);
    } finally {
      await probe.end();
    }
  });

  it('refuses a schema name that is not a plain identifier before connecting', async () => {
    await expect(PostgresEventStore.open({ connectionString: 'postgres://nobody@127.0.0.1:1/none', schema: 'x"; drop table y; --' })).rejects.toMatchObject({
      code: 'INVALID_SCHEMA_NAME',
    });
  });
});
