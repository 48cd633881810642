import type pg from 'pg';
import { ClusterconfError } from '@clusterconf/domain';
import { applyPostgresMigrations, type PostgresMigration } from '../apply-migrations.js';

/** The schema holds a newer version than this code knows, so writing to it could corrupt it. */
export class SchemaVersionError extends ClusterconfError {
  readonly code = 'SCHEMA_VERSION_TOO_NEW';
  constructor(readonly schema: string, readonly found: number, readonly known: number) {
    super(`Schema "${schema}" is at event-store version ${found}, but this @clusterconf/adapters knows versions up to ` +
      `${known}: upgrade @clusterconf/adapters, or open a different schema`);
  }
}

/**
 * The versioned migrations, oldest first. A migration is never edited once released: a change is a new entry.
 * `q` is the validated, quoted schema name. Exported for tests that build a schema as an older release left it.
 */
export const POSTGRES_EVENT_STORE_MIGRATIONS: readonly PostgresMigration[] = [
  (q) => `
    create table ${q}.streams (
      stream_id text primary key,
      revision bigint not null
    );
    -- data and metadata are text, not jsonb: measured on 100-event batches, reading back was 40% faster (no jsonb to
    -- text conversion), inserts no slower and the table 8% smaller; the JSON is stored byte for byte as written.
    -- The cost: a hand-edited row can hold malformed JSON, which reads report as CorruptEventError.
    create table ${q}.events (
      transaction_id xid8 not null default pg_current_xact_id(),
      seq bigint generated always as identity,
      stream_id text not null,
      stream_revision bigint not null,
      event_id uuid not null,
      type text not null,
      data text not null,
      metadata text not null,
      primary key (transaction_id, seq),
      constraint events_stream_revision_key unique (stream_id, stream_revision),
      constraint events_event_id_key unique (event_id)
    );
    -- One round trip per append: lock the stream, check the expected revision, insert. NOTIFY is sent after
    -- commit by the store (see AppendNotifier), never from here. Returns the current revision ('conflict') or the
    -- last new row ('appended').
    create function ${q}.append_events(
      p_stream text, p_expected text, p_ids uuid[], p_types text[], p_data text[], p_metadata text[]
    ) returns table (outcome text, stream_id text, stream_revision bigint, commit_id text, seq bigint)
    language plpgsql as $fn$
    #variable_conflict use_column
    declare
      v_current bigint;
      v_count int := cardinality(p_ids);
    begin
      -- The row lock serialises appends to one stream; a stream's first appends race on the unique
      -- (stream_id, stream_revision) key instead, and the loser retries. Event ids already stored hit the unique
      -- event_id key (or, on a retry whose expectation no longer holds, the conflict below); the store then looks
      -- them up to answer an idempotent retry, so the common path pays no lookup.
      select s.revision into v_current from ${q}.streams s where s.stream_id = p_stream for update;
      if not (p_expected = 'any'
          or (p_expected = 'no_stream' and v_current is null)
          or (p_expected = 'stream_exists' and v_current is not null)
          or (p_expected ~ '^[0-9]+$' and v_current is not distinct from p_expected::bigint)) then
        return query select 'conflict', p_stream, v_current, null::text, null::bigint;
        return;
      end if;
      -- Only the last row goes back to the client: it carries the next expected revision and the position.
      return query with inserted as (
          insert into ${q}.events as e (stream_id, stream_revision, event_id, type, data, metadata)
          select p_stream, coalesce(v_current, -1) + u.ord, u.id, u.t, u.d, u.m
            from unnest(p_ids, p_types, p_data, p_metadata) with ordinality as u(id, t, d, m, ord)
            order by u.ord
          returning e.stream_revision, e.transaction_id, e.seq)
        select 'appended'::text, p_stream, i.stream_revision, i.transaction_id::text, i.seq
          from inserted i order by i.stream_revision desc limit 1;
      insert into ${q}.streams as s (stream_id, revision) values (p_stream, coalesce(v_current, -1) + v_count)
        on conflict on constraint streams_pkey do update set revision = excluded.revision;
    end
    $fn$;
  `,
  // Tags. The event's own list is `events.tags`, in the order given ('{}' for none: adding a column with a constant
  // default rewrites no row); `event_tags` holds one row per tag, keyed (tag, transaction_id, seq), so all events of
  // a tag after a position are one range of the key, in log order: a query reads that range and joins each row to
  // its event by the primary key. Measured against a GIN index over `events.tags` (bench/suites/dcb.ts): a GIN scan
  // returns a bitmap with no order, so every page of a long result sorts it again, while this key pages in order.
  // The append function takes the tags of all events flattened, with each event's count, so its arrays stay
  // one-dimensional (PostgreSQL arrays cannot be ragged).
  (q) => `
    alter table ${q}.events add column tags text[] not null default '{}';
    create table ${q}.event_tags (
      tag text not null,
      transaction_id xid8 not null,
      seq bigint not null,
      primary key (tag, transaction_id, seq)
    );
    drop function ${q}.append_events(text, text, uuid[], text[], text[], text[]);
    create function ${q}.append_events(
      p_stream text, p_expected text, p_ids uuid[], p_types text[], p_data text[], p_metadata text[],
      p_tags text[], p_tag_counts int[]
    ) returns table (outcome text, stream_id text, stream_revision bigint, commit_id text, seq bigint)
    language plpgsql as $fn$
    #variable_conflict use_column
    declare
      v_current bigint;
      v_count int := cardinality(p_ids);
    begin
      select s.revision into v_current from ${q}.streams s where s.stream_id = p_stream for update;
      if not (p_expected = 'any'
          or (p_expected = 'no_stream' and v_current is null)
          or (p_expected = 'stream_exists' and v_current is not null)
          or (p_expected ~ '^[0-9]+$' and v_current is not distinct from p_expected::bigint)) then
        return query select 'conflict', p_stream, v_current, null::text, null::bigint;
        return;
      end if;
      return query with batch as (
          select u.ord, u.id, u.t, u.d, u.m,
            p_tags[((sum(u.n) over w) - u.n + 1)::int : (sum(u.n) over w)::int] as tags
          from unnest(p_ids, p_types, p_data, p_metadata, p_tag_counts) with ordinality as u(id, t, d, m, n, ord)
          window w as (order by u.ord)),
        inserted as (
          insert into ${q}.events as e (stream_id, stream_revision, event_id, type, data, metadata, tags)
          select p_stream, coalesce(v_current, -1) + b.ord, b.id, b.t, b.d, b.m, b.tags from batch b order by b.ord
          returning e.stream_revision, e.transaction_id, e.seq, e.tags),
        tagged as (
          insert into ${q}.event_tags (tag, transaction_id, seq)
          select tag.value, i.transaction_id, i.seq from inserted i cross join lateral unnest(i.tags) as tag(value))
        select 'appended'::text, p_stream, i.stream_revision, i.transaction_id::text, i.seq
          from inserted i order by i.stream_revision desc limit 1;
      insert into ${q}.streams as s (stream_id, revision) values (p_stream, coalesce(v_current, -1) + v_count)
        on conflict on constraint streams_pkey do update set revision = excluded.revision;
    end
    $fn$;
  `,
];


/** Brings the event store's schema to the latest version; see `applyPostgresMigrations`. */
export const migrate = (client: pg.ClientBase, schema: string, q: string): Promise<void> =>
  applyPostgresMigrations(client, schema, q, {
    lockName: 'clusterconf-event-store',
    table: 'schema_migrations',
    migrations: POSTGRES_EVENT_STORE_MIGRATIONS,
    tooNew: (found, known) => new SchemaVersionError(schema, found, known),
  });
