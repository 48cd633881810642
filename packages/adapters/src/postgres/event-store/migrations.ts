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
  // default rewrites no row); `event_tags` holds one row per tag keyed (the tag and the event's type joined by chr(31),
  // `tagKey` in shared/query-scans.ts; transaction_id, seq), so all events of a type with a tag after a position are
  // one range of the key, in log order (a ballot's close is found among its thousands of votes without reading them),
  // and the keys of one tag sort together, byte for byte ("C" collation), for items that name only tags.
  // Why not a GIN index over `events.tags`: a GIN scan returns an unordered bitmap, so every page of a long result
  // would be sorted again, and a page after a position could not stop early; this key pages in order.
  // The append function takes the tags of all events flattened, with each event's count, so its arrays stay
  // one-dimensional (PostgreSQL arrays cannot be ragged).
  (q) => `
    alter table ${q}.events add column tags text[] not null default '{}';
    create table ${q}.event_tags (
      tag text collate "C" not null,
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
          select tag.value || chr(31) || i.type, i.transaction_id, i.seq from inserted i cross join lateral unnest(i.tags) as tag(value))
        select 'appended'::text, p_stream, i.stream_revision, i.transaction_id::text, i.seq
          from inserted i order by i.stream_revision desc limit 1;
      insert into ${q}.streams as s (stream_id, revision) values (p_stream, coalesce(v_current, -1) + v_count)
        on conflict on constraint streams_pkey do update set revision = excluded.revision;
    end
    $fn$;
  `,
  // Dynamic Consistency Boundaries: queries over tags and types, and appends on a condition, atomic under concurrency
  // (see lock-keys.ts for the locking and why it is sound). `matching_positions` is the one definition of what a query
  // selects, used by reads and by the append's check alike. The client plans a query as scans (`queryScans`): keys of
  // event_tags (a first tag with a type), each narrowed to other keys (flattened, with a count per key); first tags of
  // items naming only tags, whose keys are found here, in the same snapshot (a new type under the tag must not be
  // missed); and for items without tags the log by type (or whole, `p_all`). Each key's range is read in log order up
  // to the limit, laterally (so by index, never hashed), and the ranges merged. Plain SQL, so statements that
  // call it inline it; arrays rather than JSON, as a JSON list read as 100 rows to the planner, which then hashed whole
  // tables and switched JIT on (measured: 15 ms per page), and expanding it cost 0.4 ms per append.
  // The append takes its advisory locks first, in the order the client sorted them, each shared or exclusive, before
  // the stream's row lock and before writing anything; then checks the expected revision, then the condition (a
  // statement of its own, so its READ COMMITTED snapshot is taken after the locks were granted), then inserts.
  (q) => `
    create function ${q}.matching_positions(
      p_keys text[], p_key_others text[], p_key_other_counts int[], p_tags text[], p_tag_others text[], p_tag_other_counts int[],
      p_types text[], p_all boolean, p_after xid8, p_after_seq bigint, p_limit int
    ) returns table (position_tx xid8, position_seq bigint)
    language sql stable as $fn$
      with recursive
        exact as (
          select u.key, p_key_others[(sum(u.n) over w - u.n + 1)::int : (sum(u.n) over w)::int] as others
          from unnest(p_keys, p_key_other_counts) with ordinality as u(key, n, ord) window w as (order by u.ord)),
        prefixes as (
          select u.tag || chr(31) as prefix, u.tag || chr(32) as bound,
            p_tag_others[(sum(u.n) over w - u.n + 1)::int : (sum(u.n) over w)::int] as others
          from unnest(p_tags, p_tag_other_counts) with ordinality as u(tag, n, ord) window w as (order by u.ord)),
        -- The keys of each tag-only item's first tag, found one seek at a time in this snapshot's index.
        found (prefix, bound, others, key) as (
          select p.prefix, p.bound, p.others,
            (select t.tag from ${q}.event_tags t where t.tag >= p.prefix and t.tag < p.bound order by t.tag limit 1) from prefixes p
          union all
          select f.prefix, f.bound, f.others,
            (select t.tag from ${q}.event_tags t where t.tag > f.key and t.tag < f.bound order by t.tag limit 1) from found f where f.key is not null),
        scans as (
          select e.key, e.others from exact e
          union all
          select f.key, array(select o.tag || chr(31) || substr(f.key, length(f.prefix) + 1) from unnest(f.others) as o(tag))
          from found f where f.key is not null)
      select distinct on (m.tx, m.seq) m.tx, m.seq from (
        select r.tx, r.seq from scans s cross join lateral (
          select t.transaction_id as tx, t.seq from ${q}.event_tags t
          where t.tag = s.key and (t.transaction_id, t.seq) > (p_after, p_after_seq)
            and (cardinality(s.others) = 0 or not exists (select 1 from unnest(s.others) as o(key) where not exists (
              select 1 from ${q}.event_tags x where x.tag = o.key and x.transaction_id = t.transaction_id and x.seq = t.seq)))
          order by t.transaction_id, t.seq limit p_limit) r
        union all
        (select e.transaction_id, e.seq from ${q}.events e
          where (p_all or cardinality(p_types) > 0) and (e.transaction_id, e.seq) > (p_after, p_after_seq)
            and (p_all or e.type = any(p_types))
          order by e.transaction_id, e.seq limit p_limit)
      ) m
      order by m.tx, m.seq
      limit p_limit
    $fn$;
    -- The append's check: the first event of the condition's query after its position. A function of its own for its
    -- setting: generic plans, as its custom plan was made again on every call (0.25 ms, five times its run; a plan
    -- for arrays of unknown length looks costlier than for one call's), and only conditional appends pay for the SET.
    create function ${q}.first_conflict(
      p_keys text[], p_key_others text[], p_key_other_counts int[], p_tags text[], p_tag_others text[], p_tag_other_counts int[],
      p_types text[], p_all boolean, p_after xid8, p_after_seq bigint
    ) returns table (position_tx xid8, position_seq bigint)
    language plpgsql stable set plan_cache_mode = force_generic_plan as $fn$
    begin
      return query select m.position_tx, m.position_seq
        from ${q}.matching_positions(p_keys, p_key_others, p_key_other_counts, p_tags, p_tag_others, p_tag_other_counts,
          p_types, p_all, p_after, p_after_seq, 1) m;
    end
    $fn$;
    drop function ${q}.append_events(text, text, uuid[], text[], text[], text[], text[], int[]);
    create function ${q}.append_events(
      p_stream text, p_expected text, p_ids uuid[], p_types text[], p_data text[], p_metadata text[],
      p_tags text[], p_tag_counts int[], p_lock_keys bigint[], p_lock_exclusive boolean[],
      p_check boolean, p_check_keys text[], p_check_key_others text[], p_check_key_other_counts int[],
      p_check_tags text[], p_check_tag_others text[], p_check_tag_other_counts int[], p_check_types text[], p_check_all boolean,
      p_check_after xid8, p_check_after_seq bigint
    ) returns table (outcome text, stream_id text, stream_revision bigint, commit_id text, seq bigint)
    language plpgsql as $fn$
    #variable_conflict use_column
    declare
      v_current bigint;
      v_count int := cardinality(p_ids);
      v_conflict record;
    begin
      -- One statement, in the client's ascending order: volatile functions in a select list run after its ORDER BY.
      perform case when l.x then pg_advisory_xact_lock(l.k) else pg_advisory_xact_lock_shared(l.k) end
        from unnest(p_lock_keys, p_lock_exclusive) with ordinality as l(k, x, ord) order by l.ord;
      select s.revision into v_current from ${q}.streams s where s.stream_id = p_stream for update;
      if not (p_expected = 'any'
          or (p_expected = 'no_stream' and v_current is null)
          or (p_expected = 'stream_exists' and v_current is not null)
          or (p_expected ~ '^[0-9]+$' and v_current is not distinct from p_expected::bigint)) then
        return query select 'conflict', p_stream, v_current, null::text, null::bigint;
        return;
      end if;
      if p_check then
        select c.position_tx, c.position_seq into v_conflict
          from ${q}.first_conflict(p_check_keys, p_check_key_others, p_check_key_other_counts, p_check_tags, p_check_tag_others,
            p_check_tag_other_counts, p_check_types, p_check_all, p_check_after, p_check_after_seq) c;
        if found then
          return query select 'condition', p_stream, v_current, v_conflict.position_tx::text, v_conflict.position_seq;
          return;
        end if;
      end if;
      -- Untagged batches, most of what stream appends write, insert as they did before tags: no slicing, no index rows.
      if cardinality(p_tags) = 0 then
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
          select tag.value || chr(31) || i.type, i.transaction_id, i.seq from inserted i cross join lateral unnest(i.tags) as tag(value))
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
