import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe } from 'vitest';
import { MemoryKeyStore } from '@clusterconf/adapters/personal-data';
import { PostgresKeyStore } from '@clusterconf/adapters/postgres';
import { SqliteKeyStore } from '@clusterconf/adapters/sqlite';
import { describeKeyStoreContract } from '@clusterconf/adapters/testing';
import { dropSchema, postgresAvailable, postgresUrl, uniqueSchema } from '../support/postgres.js';

describeKeyStoreContract('memory', async () => {
  const store = new MemoryKeyStore();
  return { open: async () => store, cleanup: async () => undefined };
});

describeKeyStoreContract('SQLite file', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'clusterconf-keys-'));
  return { open: () => SqliteKeyStore.open({ path: join(dir, 'keys.sqlite') }), cleanup: async () => rmSync(dir, { recursive: true, force: true }) };
});

describe.skipIf(!postgresAvailable)('PostgreSQL key store', () => {
  describeKeyStoreContract('PostgreSQL', async () => {
    const schema = uniqueSchema('keys');
    return { open: () => PostgresKeyStore.open({ connectionString: postgresUrl, schema, poolSize: 2 }), cleanup: () => dropSchema(schema) };
  });
});
