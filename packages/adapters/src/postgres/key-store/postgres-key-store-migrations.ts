import type pg from 'pg';
import { KeyStoreSchemaTooNewError } from '../../shared/key-store-errors.js';
import { applyPostgresMigrations, type PostgresMigration } from '../apply-migrations.js';

/**
 * The key store's schema history, with its own table of applied versions and its own lock, so the keys can share a
 * schema with the event store and read models or have one (or a database) of their own. Never edit a released step.
 *
 * - One row per subject: its key while it has one, then, once forgotten, no key and when; the CHECK keeps exactly one.
 * - Times are the ISO 8601 text the port gives, stored as given, so an export reads back what was written.
 */
const migrations: readonly PostgresMigration[] = [
  (q) => `
    create table ${q}.personal_data_keys (
      subject      text collate "C" primary key,
      key          bytea,
      created_at   text,
      forgotten_at text,
      check ((key is null) = (forgotten_at is not null))
    );
  `,
];

/** Brings the key store's tables to the latest version; see `applyPostgresMigrations`. */
export const migratePostgresKeyStore = (client: pg.PoolClient, schema: string, q: string): Promise<void> =>
  applyPostgresMigrations(client, schema, q, {
    lockName: 'clusterconf-personal-data-keys',
    table: 'personal_data_key_migrations',
    migrations,
    tooNew: (found, known) => new KeyStoreSchemaTooNewError(`schema "${schema}"`, found, known),
  });
