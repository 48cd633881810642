import type pg from 'pg';
import { formatPosition, parsePosition, StoreClosedError, type Position } from '@clusterconf/domain';
import {
  CheckpointConflictError,
  assertNamespace,
  assertProjectionIdentity,
  type BatchCommit,
  type DeadLetter,
  type Document,
  type Lease,
  listLimit,
  type ListDocumentsOptions,
  type ReadModelStore,
  sameCheckpoint,
  type StoredDocument,
} from '@clusterconf/projections';
import { fromDeadLetterRows, toBatchRows, toDeadLetterRow, type BatchRows, type DeadLetterRow } from '../../shared/read-model/batch-rows.js';
import { ownedTables, quoteIdentifier } from '../../shared/read-model/owned-tables.js';
import { ReadModelStatementError } from '../../shared/read-model/read-model-errors.js';
import { connectionFailure, isConnectionError, type Endpoint } from '../event-store/connection-errors.js';
import { quoteSchema } from '../event-store/schema-name.js';
import { assertJsonbSafe } from './jsonb-safety.js';
import { PostgresLeases } from './postgres-lease.js';
import { migratePostgresReadModel } from './postgres-read-model-migrations.js';
import { storePool, type PoolOptions } from '../pool.js';

/** Options of `PostgresReadModelStore.open`. */
export interface PostgresReadModelStoreOptions extends PoolOptions {
  /**
   * The schema holding the `read_model_*` tables and the tables handlers create through `sql`; created and migrated
   * on open. Default `clusterconf`, the event store's default, so a log and its read models can share one schema.
   */
  readonly schema?: string;
  /** How often a lease checks its connection, and how long a check may take; default 2000 ms. */
  readonly leaseHeartbeatMs?: number;
  /**
   * `synchronous_commit` of batch transactions; default `'off'`. A read model is derived data and each batch carries
   * its checkpoint, so a server crash can only lose the last few batches whole, documents and checkpoint together,
   * and the runner applies their events again: still exactly once, and several times faster, since a batch no longer
   * waits for its WAL flush. Use `'on'` when a position `waitFor` confirmed must survive a server crash.
   */
  readonly synchronousCommit?: 'on' | 'off';
}

/** A short stable tag of the schema, so named prepared statements of two schemas on one connection never clash. */
const schemaTag = (schema: string): string => {
  let hash = 0x811c9dc5;
  for (const char of schema) hash = Math.imul(hash ^ char.charCodeAt(0), 0x01000193) >>> 0;
  return hash.toString(36);
};

/** Builds the JSON array `jsonb_to_recordset` reads, reusing each body's JSON text as it is. */
const upsertPayload = (upserts: BatchRows['upserts']): string =>
  `[${upserts.map((row) => `{"c":${JSON.stringify(row.collection)},"i":${JSON.stringify(row.id)},"b":${row.body}}`).join(',')}]`;

const statementsFor = (q: string, tag: string) => ({
  upsert: {
    name: `rm_upsert_${tag}`,
    text: `insert into ${q}.read_model_documents (namespace, collection, id, body)
           select $1, t.c, t.i, t.b from jsonb_to_recordset($2::jsonb) as t(c text, i text, b jsonb)
           on conflict (namespace, collection, id) do update set body = excluded.body`,
  },
  delete: {
    name: `rm_delete_${tag}`,
    text: `delete from ${q}.read_model_documents d using jsonb_to_recordset($2::jsonb) as t(c text, i text)
           where d.namespace = $1 and d.collection = t.c and d.id = t.i collate "C"`,
  },
  read: { name: `rm_read_${tag}`, text: `select body from ${q}.read_model_documents where namespace = $1 and collection = $2 and id = $3` },
  listFirst: {
    name: `rm_list_first_${tag}`,
    text: `select id, body from ${q}.read_model_documents where namespace = $1 and collection = $2 order by id limit $3`,
  },
  listAfter: {
    name: `rm_list_after_${tag}`,
    text: `select id, body from ${q}.read_model_documents
           where namespace = $1 and collection = $2 and id > $3::text collate "C" order by id limit $4`,
  },
  loadCheckpoint: { name: `rm_cp_${tag}`, text: `select position from ${q}.read_model_checkpoints where namespace = $1` },
  insertCheckpoint: `insert into ${q}.read_model_checkpoints (namespace, position) values ($1, $2) on conflict (namespace) do nothing`,
  moveCheckpoint: `update ${q}.read_model_checkpoints set position = $2 where namespace = $1 and position = $3`,
  lockCheckpoint: `select position from ${q}.read_model_checkpoints where namespace = $1 for update`,
  insertDeadLetter: `insert into ${q}.read_model_dead_letters
      (namespace, position, stream_id, stream_revision, event_type, data, metadata, error_code, error_message, recorded_at)
    values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
    on conflict (namespace, position) do update set stream_id = excluded.stream_id, stream_revision = excluded.stream_revision,
      event_type = excluded.event_type, data = excluded.data, metadata = excluded.metadata, error_code = excluded.error_code,
      error_message = excluded.error_message, recorded_at = excluded.recorded_at`,
  deleteDeadLetters: `delete from ${q}.read_model_dead_letters where namespace = $1 and position = any($2::text[])`,
  listDeadLetters: `select * from ${q}.read_model_dead_letters where namespace = $1`,
  activate: `insert into ${q}.read_model_active_versions (projection, version) values ($1, $2)
             on conflict (projection) do update set version = excluded.version`,
  activeVersion: `select version from ${q}.read_model_active_versions where projection = $1`,
  dropDocuments: `delete from ${q}.read_model_documents where namespace = $1`,
  dropCheckpoint: `delete from ${q}.read_model_checkpoints where namespace = $1`,
  dropDeadLetters: `delete from ${q}.read_model_dead_letters where namespace = $1`,
  knownNamespaces: `select namespace from ${q}.read_model_checkpoints
                    union select namespace from ${q}.read_model_dead_letters
                    union select projection || '_v' || version from ${q}.read_model_active_versions`,
  tables: `select tablename from pg_tables where schemaname = $1`,
});

const storedPosition = (text: string | undefined): Position | undefined => (text === undefined ? undefined : parsePosition(text));

/** Thrown inside a transaction to roll it back and report the conflict outside. */
class ConflictDetected extends Error {
  constructor(readonly conflict: CheckpointConflictError) {
    super(conflict.message);
  }
}

/**
 * Read models in PostgreSQL (node-postgres), in their own schema or beside the event store's tables.
 *
 * Every `commitBatch` is one transaction (asynchronous commit unless `synchronousCommit` is `'on'`, see the option)
 * on a pooled connection, or on the lease's own session while this store holds the namespace's lease, so a holder
 * that lost its lease cannot commit (see `PostgresLeases`): the checkpoint row first (a compare-and-set against the
 * batch's `expectedCheckpoint`, or for a batch that moves no checkpoint a `select … for update` compared with it,
 * which also serialises two writers of one namespace on its row lock), then every upsert in one `insert … select from jsonb_to_recordset(…)`, every delete in one
 * statement, the handlers' queued SQL (with `search_path` set to the schema), and the dead letters. Documents are
 * jsonb, which cannot hold U+0000 or unpaired surrogates in strings: a batch with one is refused as a whole with
 * `InvalidDocumentError` before any SQL runs (see `assertJsonbSafe`). After a crash
 * the checkpoint matches the documents exactly; a writer that slipped past the lease gets `CheckpointConflictError`.
 * Leases are session-level advisory locks on dedicated connections (see `PostgresLeases`).
 */
export class PostgresReadModelStore implements ReadModelStore {
  readonly kind = 'postgres';
  readonly guarantee = 'exactly-once-durable' as const;
  readonly sqlDialect = 'postgres' as const;
  readonly #pool: pg.Pool;
  readonly #ownsPool: boolean;
  readonly #schema: string;
  readonly #q: string;
  readonly #sql: ReturnType<typeof statementsFor>;
  readonly #leases: PostgresLeases;
  readonly #endpoint: Endpoint;
  readonly #begin: string;
  #closed = false;

  private constructor(pool: pg.Pool, ownsPool: boolean, schema: string, endpoint: Endpoint, heartbeatMs: number, synchronousCommit: 'on' | 'off') {
    this.#pool = pool;
    this.#ownsPool = ownsPool;
    this.#schema = schema;
    this.#q = quoteSchema(schema);
    this.#sql = statementsFor(this.#q, schemaTag(schema));
    this.#endpoint = endpoint;
    this.#begin = `begin; set local synchronous_commit to ${synchronousCommit === 'on' ? 'on' : 'off'}`;
    this.#leases = new PostgresLeases({ clientConfig: pool.options, schema, heartbeatMs });
  }

  /**
   * Opens the store, creating and migrating the schema's read-model tables when needed. Rejects with
   * `InvalidSchemaNameError` for an unusable schema name, `ReadModelSchemaTooNewError` for tables of a newer version,
   * and `StoreUnavailableError` / `AccessDeniedError` when the server cannot be used.
   */
  static async open(options: PostgresReadModelStoreOptions = {}): Promise<PostgresReadModelStore> {
    const schema = options.schema ?? 'clusterconf';
    const q = quoteSchema(schema);
    const heartbeatMs = options.leaseHeartbeatMs ?? 2000;
    if (!Number.isFinite(heartbeatMs) || heartbeatMs <= 0) {
      throw new RangeError(`leaseHeartbeatMs ${heartbeatMs} is not a positive number of milliseconds; the default is 2000`);
    }
    const synchronousCommit = options.synchronousCommit ?? 'off';
    if (synchronousCommit !== 'on' && synchronousCommit !== 'off') {
      throw new RangeError(`synchronousCommit ${JSON.stringify(synchronousCommit)} is not 'on' or 'off'; the default is 'off'`);
    }
    const { pool, ownsPool, endpoint } = storePool(options);
    try {
      const client = await pool.connect();
      try {
        await migratePostgresReadModel(client, schema, q);
      } finally {
        client.release();
      }
    } catch (error) {
      if (ownsPool) await pool.end().catch(() => undefined);
      throw connectionFailure(error, endpoint);
    }
    return new PostgresReadModelStore(pool, ownsPool, schema, endpoint, heartbeatMs, synchronousCommit);
  }

  /** The schema holding the read-model tables. */
  get schema(): string {
    return this.#schema;
  }

  /** The pool, for reading the tables handlers create through `sql`. */
  get pool(): pg.Pool {
    return this.#pool;
  }

  async loadCheckpoint(namespace: string): Promise<Position | undefined> {
    this.#assertOpen();
    const { rows } = await this.#query<{ position: string }>({ ...this.#sql.loadCheckpoint, values: [namespace] });
    const text = rows[0]?.position;
    return text === undefined ? undefined : parsePosition(text);
  }

  async commitBatch(batch: BatchCommit): Promise<void> {
    this.#assertOpen();
    assertNamespace(batch.namespace);
    const rows = toBatchRows(batch);
    assertJsonbSafe(batch.namespace, rows);
    const checkpoint = batch.checkpoint === undefined ? undefined : formatPosition(batch.checkpoint);
    await this.#transaction(async (client) => {
      if (checkpoint !== undefined) await this.#moveCheckpoint(client, batch.namespace, checkpoint, batch.expectedCheckpoint);
      else await this.#holdCheckpoint(client, batch.namespace, batch.expectedCheckpoint);
      await this.#writeBatch(client, batch, rows);
    }, batch.namespace);
  }

  /**
   * Moves the checkpoint only from `expected`: a conditional insert (none stored) or update whose row count tells.
   * A concurrent writer's uncommitted change of the row makes it wait, then see that writer's result, so of two
   * writers expecting the same checkpoint exactly one moves it.
   */
  async #moveCheckpoint(client: pg.ClientBase, namespace: string, checkpoint: string, expected: Position | undefined): Promise<void> {
    const moved =
      expected === undefined
        ? await client.query(this.#sql.insertCheckpoint, [namespace, checkpoint])
        : await client.query(this.#sql.moveCheckpoint, [namespace, checkpoint, formatPosition(expected)]);
    if (moved.rowCount === 1) return;
    const { rows } = await client.query<{ position: string }>(this.#sql.loadCheckpoint.text, [namespace]);
    throw new ConflictDetected(new CheckpointConflictError(namespace, expected, storedPosition(rows[0]?.position)));
  }

  /**
   * Fences a batch that moves no checkpoint (a dead-letter replay) as `#moveCheckpoint` fences the others: the stored
   * checkpoint must be `expected`, and it stays locked until the batch commits. With none stored there is no row to
   * lock; a writer inserting one meanwhile commits after this batch, whose expectation held when it was checked.
   */
  async #holdCheckpoint(client: pg.ClientBase, namespace: string, expected: Position | undefined): Promise<void> {
    const { rows } = await client.query<{ position: string }>(this.#sql.lockCheckpoint, [namespace]);
    const actual = storedPosition(rows[0]?.position);
    if (!sameCheckpoint(expected, actual)) throw new ConflictDetected(new CheckpointConflictError(namespace, expected, actual));
  }

  async #writeBatch(client: pg.ClientBase, batch: BatchCommit, rows: BatchRows): Promise<void> {
    const sql = this.#sql;
    const namespace = batch.namespace;
    if (rows.upserts.length > 0) await client.query({ ...sql.upsert, values: [namespace, upsertPayload(rows.upserts)] });
    if (rows.deletes.length > 0) {
      const keys = JSON.stringify(rows.deletes.map((row) => ({ c: row.collection, i: row.id })));
      await client.query({ ...sql.delete, values: [namespace, keys] });
    }
    if (batch.statements.length > 0) {
      await client.query(`set local search_path to ${this.#q}, public`);
      for (const statement of batch.statements) {
        try {
          await client.query(statement.text, statement.params as unknown[]);
        } catch (cause) {
          if (isConnectionError(cause)) throw cause;
          throw new ReadModelStatementError(namespace, statement.text, { cause });
        }
      }
    }
    if (batch.removeDeadLetters.length > 0) await client.query(sql.deleteDeadLetters, [namespace, batch.removeDeadLetters.map(formatPosition)]);
    for (const deadLetter of batch.deadLetters) {
      const row = toDeadLetterRow(deadLetter);
      await client.query(sql.insertDeadLetter, [
        namespace, row.position, row.stream_id, row.stream_revision, row.event_type, row.data, row.metadata, row.error_code, row.error_message, row.recorded_at,
      ]);
    }
  }

  async readDocument<T extends Document = Document>(namespace: string, collection: string, id: string): Promise<T | undefined> {
    this.#assertOpen();
    const { rows } = await this.#query<{ body: T }>({ ...this.#sql.read, values: [namespace, collection, id] });
    return rows[0]?.body;
  }

  async listDocuments<T extends Document = Document>(
    namespace: string,
    collection: string,
    options: ListDocumentsOptions = {},
  ): Promise<StoredDocument<T>[]> {
    this.#assertOpen();
    // PostgreSQL reads LIMIT NULL as no limit.
    const limit = listLimit(options) ?? null;
    const { rows } = await this.#query<{ id: string; body: T }>(
      options.afterId === undefined
        ? { ...this.#sql.listFirst, values: [namespace, collection, limit] }
        : { ...this.#sql.listAfter, values: [namespace, collection, options.afterId, limit] },
    );
    return rows.map((row) => ({ id: row.id, document: row.body }));
  }

  async listDeadLetters(namespace: string): Promise<DeadLetter[]> {
    this.#assertOpen();
    const { rows } = await this.#query<DeadLetterRow & pg.QueryResultRow>({ text: this.#sql.listDeadLetters, values: [namespace] });
    return fromDeadLetterRows(namespace, rows);
  }

  async activate(projectionName: string, version: number): Promise<void> {
    this.#assertOpen();
    assertProjectionIdentity(projectionName, version);
    await this.#query({ text: this.#sql.activate, values: [projectionName, version] });
  }

  async activeVersion(projectionName: string): Promise<number | undefined> {
    this.#assertOpen();
    const { rows } = await this.#query<{ version: number }>({ text: this.#sql.activeVersion, values: [projectionName] });
    return rows[0]?.version;
  }

  async dropNamespace(namespace: string): Promise<void> {
    this.#assertOpen();
    assertNamespace(namespace);
    const sql = this.#sql;
    await this.#transaction(async (client) => {
      await client.query(sql.dropDocuments, [namespace]);
      await client.query(sql.dropCheckpoint, [namespace]);
      await client.query(sql.dropDeadLetters, [namespace]);
      const tables = (await client.query<{ tablename: string }>(sql.tables, [this.#schema])).rows.map((r) => r.tablename);
      const known = (await client.query<{ namespace: string }>(sql.knownNamespaces)).rows.map((r) => r.namespace);
      for (const table of ownedTables(namespace, tables, known)) await client.query(`drop table ${this.#q}.${quoteIdentifier(table)}`);
    });
  }

  async acquireLease(namespace: string, owner: string): Promise<Lease | undefined> {
    this.#assertOpen();
    assertNamespace(namespace);
    return this.#leases.acquire(namespace, owner);
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await this.#leases.closeAll('The PostgreSQL read-model store');
    if (this.#ownsPool) await this.#pool.end();
  }

  async #query<Row extends pg.QueryResultRow>(config: pg.QueryConfig): Promise<pg.QueryResult<Row>> {
    try {
      return await this.#pool.query<Row>(config);
    } catch (error) {
      throw isConnectionError(error) ? connectionFailure(error, this.#endpoint) : error;
    }
  }

  /** Runs `work` in a transaction on the namespace's lease session when this store holds its lease, else pooled. */
  async #transaction(work: (client: pg.ClientBase) => Promise<void>, leasedNamespace?: string): Promise<void> {
    const session = leasedNamespace === undefined ? undefined : this.#leases.sessionFor(leasedNamespace);
    if (session !== undefined) {
      await session.run((client) => this.#inTransaction(client, work));
      return;
    }
    let client: pg.PoolClient;
    try {
      client = await this.#pool.connect();
    } catch (error) {
      throw connectionFailure(error, this.#endpoint);
    }
    let broken: Error | undefined;
    try {
      await this.#inTransaction(client, work, (error) => (broken = error));
    } finally {
      // A connection that failed mid-transaction is destroyed rather than handed to the next batch.
      client.release(broken);
    }
  }

  async #inTransaction(client: pg.ClientBase, work: (client: pg.ClientBase) => Promise<void>, broke?: (error: Error) => void): Promise<void> {
    try {
      await client.query(this.#begin);
      await work(client);
      await client.query('commit');
    } catch (error) {
      await client.query('rollback').catch((rollbackError: unknown) => broke?.(rollbackError instanceof Error ? rollbackError : new Error(String(rollbackError))));
      if (error instanceof ConflictDetected) throw error.conflict;
      if (!isConnectionError(error)) throw error;
      broke?.(error as Error);
      throw connectionFailure(error, this.#endpoint);
    }
  }

  #assertOpen(): void {
    if (this.#closed) throw new StoreClosedError('The PostgreSQL read-model store');
  }
}
