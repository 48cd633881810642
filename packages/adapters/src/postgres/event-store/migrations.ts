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
  // default rewrites no row); `event_tags` holds rows keyed (tag, transaction_id, seq): one per tag, and one per
  // (type, tag) pair, its key the type and the tag joined by chr(31) (`typeTagKey` in shared/query-scans.ts), so all
  // events of a tag, or of a type with a tag, after a position are one range of the key, in log order: a ballot's
  // close is found among its thousands of votes without reading them.
  // Why not a GIN index over `events.tags`: a GIN scan returns an unordered bitmap, so every page of a long result
  // would be sorted again, and a page after a position could not stop early; this key pages in order.
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
          returning e.stream_revision, e.transaction_id, e.seq, e.type, e.tags),
        tagged as (
          insert into ${q}.event_tags (tag, transaction_id, seq)
          select k.key, i.transaction_id, i.seq from inserted i cross join lateral (
            select tag from unnest(i.tags) as tag union all select i.type || chr(31) || tag from unnest(i.tags) as tag) as k(key))
        select 'appended'::text, p_stream, i.stream_revision, i.transaction_id::text, i.seq
          from inserted i order by i.stream_revision desc limit 1;
      insert into ${q}.streams as s (stream_id, revision) values (p_stream, coalesce(v_current, -1) + v_count)
        on conflict on constraint streams_pkey do update set revision = excluded.revision;
    end
    $fn$;
  `,
  // Dynamic Consistency Boundaries: queries over tags and types, and appends on a condition, atomic under concurrency
  // (see lock-keys.ts for the locking and why it is sound). `query_events` is the one definition of what a query
  // selects, used by reads and by the append's check alike: the client plans a query as scans (`queryScans`: per
  // item, the event_tags range of its first tag or of each (type, first tag) pair, or the log by type for an item
  // without tags), and the function reads each range narrowed to the item's other tags, merged in log order. PL/pgSQL
  // so its plan is cached per connection, and its settings keep the planner on ordered index scans joined by key:
  // a JSON list of items looks like 100 rows to the planner, which then hashed whole tables and switched JIT on
  // (measured: 15 ms of JIT per page, and a sequential scan of the events). Inside the append it runs with the
  // snapshot of the check's statement.
  // The append takes its advisory locks first, in the order the client sorted them, each shared or exclusive, before
  // the stream's row lock and before writing anything; then checks the expected revision, then the condition (a
  // statement of its own, so its READ COMMITTED snapshot is taken after the locks were granted), then inserts.
  (q) => `
    create function ${q}.query_events(p_scans jsonb, p_after xid8, p_after_seq bigint, p_limit int)
    returns table (position_tx xid8, position_seq bigint)
    language plpgsql stable rows 1000 set jit = off set enable_hashjoin = off set enable_mergejoin = off as $fn$
    begin
      return query
      with scans as (
        select s.value->>'key' as key,
          case when s.value ? 'types' then array(select jsonb_array_elements_text(s.value->'types')) end as types,
          array(select jsonb_array_elements_text(coalesce(s.value->'others', '[]'))) as others
        from jsonb_array_elements(p_scans) as s(value))
      select distinct on (m.tx, m.seq) m.tx, m.seq
      from scans cross join lateral (
        (select t.transaction_id as tx, t.seq from ${q}.event_tags t
          where scans.key is not null and t.tag = scans.key and (t.transaction_id, t.seq) > (p_after, p_after_seq)
            and (cardinality(scans.others) = 0 or not exists (select 1 from unnest(scans.others) as o(tag) where not exists (
              select 1 from ${q}.event_tags x where x.tag = o.tag and x.transaction_id = t.transaction_id and x.seq = t.seq)))
          order by t.transaction_id, t.seq limit p_limit)
        union all
        (select e.transaction_id, e.seq from ${q}.events e
          where scans.key is null and (e.transaction_id, e.seq) > (p_after, p_after_seq)
            and (scans.types is null or e.type = any(scans.types))
          order by e.transaction_id, e.seq limit p_limit)
      ) m
      order by m.tx, m.seq
      limit p_limit;
    end
    $fn$;
    -- A page of a query's events for a reader, with the ordering bound of the same snapshot (a STABLE function's
    -- statements run in its caller's), so the reader tells the rows it may return from those still held back. The
    -- columns are the store's EVENT_COLUMNS.
    create function ${q}.query_page(p_scans jsonb, p_after xid8, p_after_seq bigint, p_limit int)
    returns table (stream_id text, stream_revision text, commit_id text, seq text, type text, data text, metadata text, tags text[], bound text)
    language plpgsql stable rows 1000 set jit = off set enable_hashjoin = off set enable_mergejoin = off as $fn$
    #variable_conflict use_column
    begin
      return query
      select e.stream_id, e.stream_revision::text, e.transaction_id::text, e.seq::text, e.type, e.data, e.metadata,
        nullif(e.tags, '{}'), pg_snapshot_xmin(pg_current_snapshot())::text
      from ${q}.query_events(p_scans, p_after, p_after_seq, p_limit) m
      join ${q}.events e on e.transaction_id = m.position_tx and e.seq = m.position_seq
      order by e.transaction_id, e.seq;
    end
    $fn$;
    drop function ${q}.append_events(text, text, uuid[], text[], text[], text[], text[], int[]);
    create function ${q}.append_events(
      p_stream text, p_expected text, p_ids uuid[], p_types text[], p_data text[], p_metadata text[],
      p_tags text[], p_tag_counts int[], p_lock_keys bigint[], p_lock_exclusive boolean[], p_condition jsonb
    ) returns table (outcome text, stream_id text, stream_revision bigint, commit_id text, seq bigint)
    language plpgsql as $fn$
    #variable_conflict use_column
    declare
      v_current bigint;
      v_count int := cardinality(p_ids);
      v_conflict record;
    begin
      for i in 1 .. coalesce(cardinality(p_lock_keys), 0) loop
        if p_lock_exclusive[i] then
          perform pg_advisory_xact_lock(p_lock_keys[i]);
        else
          perform pg_advisory_xact_lock_shared(p_lock_keys[i]);
        end if;
      end loop;
      select s.revision into v_current from ${q}.streams s where s.stream_id = p_stream for update;
      if not (p_expected = 'any'
          or (p_expected = 'no_stream' and v_current is null)
          or (p_expected = 'stream_exists' and v_current is not null)
          or (p_expected ~ '^[0-9]+$' and v_current is not distinct from p_expected::bigint)) then
        return query select 'conflict', p_stream, v_current, null::text, null::bigint;
        return;
      end if;
      if p_condition is not null then
        select c.position_tx, c.position_seq into v_conflict
          from ${q}.query_events(p_condition->'scans', coalesce((p_condition->>'afterCommit')::xid8, '0'::xid8),
            coalesce((p_condition->>'afterSeq')::bigint, 0), 1) c;
        if found then
          return query select 'condition', p_stream, v_current, v_conflict.position_tx::text, v_conflict.position_seq;
          return;
        end if;
      end if;
      return query with batch as (
          select u.ord, u.id, u.t, u.d, u.m,
            p_tags[((sum(u.n) over w) - u.n + 1)::int : (sum(u.n) over w)::int] as tags
          from unnest(p_ids, p_types, p_data, p_metadata, p_tag_counts) with ordinality as u(id, t, d, m, n, ord)
          window w as (order by u.ord)),
        inserted as (
          insert into ${q}.events as e (stream_id, stream_revision, event_id, type, data, metadata, tags)
          select p_stream, coalesce(v_current, -1) + b.ord, b.id, b.t, b.d, b.m, b.tags from batch b order by b.ord
          returning e.stream_revision, e.transaction_id, e.seq, e.type, e.tags),
        tagged as (
          insert into ${q}.event_tags (tag, transaction_id, seq)
          select k.key, i.transaction_id, i.seq from inserted i cross join lateral (
            select tag from unnest(i.tags) as tag union all select i.type || chr(31) || tag from unnest(i.tags) as tag) as k(key))
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
