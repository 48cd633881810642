import { afterEach, describe, expect, it } from 'vitest';
import { PostgresEventStore, SchemaVersionError } from '@clusterconf/adapters/postgres';
import { newEvent } from '../contract/event-store-contract.js';
import { dropSchema, postgresAvailable, uniqueSchema } from '../support/postgres.js';
import { collect, openStore, rawClient } from './fixtures.js';

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

  it('refuses a schema name that is not a plain identifier before connecting', async () => {
    await expect(PostgresEventStore.open({ connectionString: 'postgres://nobody@127.0.0.1:1/none', schema: 'x"; drop table y; --' })).rejects.toMatchObject({
      code: 'INVALID_SCHEMA_NAME',
    });
  });
});
