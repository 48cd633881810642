import type pg from 'pg';
import { ReadModelSchemaTooNewError } from '../../shared/read-model/read-model-errors.js';
import { applyPostgresMigrations, type PostgresMigration } from '../apply-migrations.js';

/**
 * The read-model schema history, oldest first; `q` is the validated, quoted schema name. Never edit a released
 * step; append a new one. Tables start with `read_model_`, so they can share a schema with the event store and are
 * never mistaken for a namespace's own tables (`<name>_v<version>_…`).
 *
 * - One documents table for every namespace, keyed (namespace, collection, id): a version is one key range of the
 *   primary-key index, a blue/green build writes only its own range, and the switch is one row of
 *   `read_model_active_versions`. Statements are fixed texts, prepared once, with no table names built at run time.
 * - `id` is collated "C" so `listDocuments` pages in byte order, as the memory store does, and the index serves it.
 * - `body` is jsonb, so documents can be queried and indexed in SQL; jsonb does not keep key order.
 */
const migrations: readonly PostgresMigration[] = [
  (q) => `
    create table ${q}.read_model_documents (
      namespace  text not null,
      collection text not null,
      id         text collate "C" not null,
      body       jsonb not null,
      primary key (namespace, collection, id)
    );
    create table ${q}.read_model_checkpoints (
      namespace text primary key,
      position  text not null
    );
    create table ${q}.read_model_dead_letters (
      namespace       text not null,
      position        text not null,
      stream_id       text not null,
      stream_revision text not null,
      event_type      text not null,
      data            text not null,
      metadata        text not null,
      error_code      text not null,
      error_message   text not null,
      recorded_at     text not null,
      primary key (namespace, position)
    );
    create table ${q}.read_model_active_versions (
      projection text primary key,
      version    integer not null
    );
  `,
];

/** Brings the read-model tables to the latest version; see `applyPostgresMigrations`. */
export const migratePostgresReadModel = (client: pg.PoolClient, schema: string, q: string): Promise<void> =>
  applyPostgresMigrations(client, schema, q, {
    lockName: 'clusterconf-read-model',
    table: 'read_model_schema_migrations',
    migrations,
    tooNew: (found, known) => new ReadModelSchemaTooNewError(`schema "${schema}"`, found, known),
  });
