import Database, { type Database as SqliteDatabase, type Statement } from 'better-sqlite3';
import { ClusterconfError, formatPosition, parsePosition, StoreClosedError, StoreUnavailableError, type Position } from '@clusterconf/domain';
import {
  assertExpectedCheckpoint,
  assertNamespace,
  assertProjectionIdentity,
  type BatchCommit,
  type DeadLetter,
  type Document,
  type Lease,
  listLimit,
  type ListDocumentsOptions,
  type ReadModelStore,
  type StoredDocument,
} from '@clusterconf/projections';
import { fromDeadLetterRows, toBatchRows, toDeadLetterRow, type BatchRows, type DeadLetterRow } from '../../shared/read-model/batch-rows.js';
import { ownedTables, quoteIdentifier } from '../../shared/read-model/owned-tables.js';
import { ReadModelStatementError } from '../../shared/read-model/read-model-errors.js';
import { SqliteLeases } from './sqlite-lease.js';
import { migrateSqliteReadModel } from './sqlite-read-model-migrations.js';

/** Options of `SqliteReadModelStore.open`. */
export interface SqliteReadModelStoreOptions {
  /** A file path (created when missing) or `':memory:'`. Give this or `database`. */
  readonly path?: string;
  /**
   * An open better-sqlite3 connection to share, for example `SqliteEventStore`'s `database`, so the log and its read
   * models live in one file. The store adds its `read_model_*` tables to it and never closes it.
   */
  readonly database?: SqliteDatabase;
  /** How long a batch waits for another process's write lock before failing; default 5000 ms. */
  readonly busyTimeoutMs?: number;
}

/** Rows per multi-row upsert statement: 4 parameters each, far below SQLite's limit of 32 766. */
const UPSERT_CHUNK = 64;
/** Handler SQL statements kept prepared; the texts handlers queue are few and fixed, so this rarely fills. */
const STATEMENT_CACHE_SIZE = 256;

const upsertSql = (rows: number): string =>
  'INSERT INTO read_model_documents (namespace, collection, id, body) VALUES ' +
  Array.from({ length: rows }, () => '(?, ?, ?, ?)').join(', ') +
  ' ON CONFLICT (namespace, collection, id) DO UPDATE SET body = excluded.body';

const prepareStatements = (db: SqliteDatabase) => ({
  upsertOne: db.prepare(upsertSql(1)),
  upsertChunk: db.prepare(upsertSql(UPSERT_CHUNK)),
  deleteDocument: db.prepare('DELETE FROM read_model_documents WHERE namespace = ? AND collection = ? AND id = ?'),
  readDocument: db.prepare('SELECT body FROM read_model_documents WHERE namespace = ? AND collection = ? AND id = ?').pluck(),
  listFirst: db.prepare('SELECT id, body FROM read_model_documents WHERE namespace = ? AND collection = ? ORDER BY id LIMIT ?'),
  listAfter: db.prepare('SELECT id, body FROM read_model_documents WHERE namespace = ? AND collection = ? AND id > ? ORDER BY id LIMIT ?'),
  loadCheckpoint: db.prepare('SELECT position FROM read_model_checkpoints WHERE namespace = ?').pluck(),
  saveCheckpoint: db.prepare(
    'INSERT INTO read_model_checkpoints (namespace, position) VALUES (?, ?) ON CONFLICT (namespace) DO UPDATE SET position = excluded.position',
  ),
  insertDeadLetter: db.prepare(
    `INSERT OR REPLACE INTO read_model_dead_letters
       (namespace, position, stream_id, stream_revision, event_type, data, metadata, error_code, error_message, recorded_at)
     VALUES (@namespace, @position, @stream_id, @stream_revision, @event_type, @data, @metadata, @error_code, @error_message, @recorded_at)`,
  ),
  deleteDeadLetter: db.prepare('DELETE FROM read_model_dead_letters WHERE namespace = ? AND position = ?'),
  listDeadLetters: db.prepare('SELECT * FROM read_model_dead_letters WHERE namespace = ?'),
  activate: db.prepare(
    'INSERT INTO read_model_active_versions (projection, version) VALUES (?, ?) ON CONFLICT (projection) DO UPDATE SET version = excluded.version',
  ),
  activeVersion: db.prepare('SELECT version FROM read_model_active_versions WHERE projection = ?').pluck(),
  dropDocuments: db.prepare('DELETE FROM read_model_documents WHERE namespace = ?'),
  dropCheckpoint: db.prepare('DELETE FROM read_model_checkpoints WHERE namespace = ?'),
  dropDeadLetters: db.prepare('DELETE FROM read_model_dead_letters WHERE namespace = ?'),
  knownNamespaces: db.prepare(
    `SELECT namespace FROM read_model_checkpoints
     UNION SELECT namespace FROM read_model_dead_letters
     UNION SELECT projection || '_v' || version FROM read_model_active_versions`,
  ).pluck(),
  tables: db.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").pluck(),
});

const isOpenFailure = (error: unknown): boolean => !(error instanceof ClusterconfError);

/**
 * Read models in SQLite (better-sqlite3), in their own file or in the event store's file.
 *
 * Every `commitBatch` is one `BEGIN IMMEDIATE` transaction holding the batch's documents, queued SQL, dead letters and
 * checkpoint, so after a crash the checkpoint matches the documents exactly. Each transaction first reads the stored
 * checkpoint, under the write lock `BEGIN IMMEDIATE` took, and refuses the batch with `CheckpointConflictError` unless
 * it is the batch's `expectedCheckpoint`: a second writer that slipped past the lease cannot apply events twice.
 * Leases are exclusive locks on a sidecar file per namespace (see `SqliteLeases`), released by the OS when the
 * holder dies; an in-memory database has process-local leases.
 */
export class SqliteReadModelStore implements ReadModelStore {
  readonly kind = 'sqlite';
  readonly guarantee = 'exactly-once-durable' as const;
  readonly sqlDialect = 'sqlite' as const;
  readonly #db: SqliteDatabase;
  readonly #ownsDatabase: boolean;
  /** The file leases lock beside; `undefined` for an in-memory database. */
  readonly #filePath: string | undefined;
  readonly #statements: ReturnType<typeof prepareStatements>;
  readonly #handlerStatements = new Map<string, Statement>();
  readonly #leases = new SqliteLeases();
  readonly #commit: (batch: BatchCommit, rows: BatchRows) => void;
  readonly #drop: (namespace: string) => void;
  #closed = false;

  private constructor(db: SqliteDatabase, ownsDatabase: boolean) {
    this.#db = db;
    this.#ownsDatabase = ownsDatabase;
    this.#filePath = db.memory ? undefined : db.name;
    this.#statements = prepareStatements(db);
    const commit = db.transaction((batch: BatchCommit, rows: BatchRows) => this.#commitInTransaction(batch, rows));
    this.#commit = (batch, rows) => commit.immediate(batch, rows);
    const drop = db.transaction((namespace: string) => this.#dropInTransaction(namespace));
    this.#drop = (namespace) => drop.immediate(namespace);
  }

  /**
   * Opens (creating and migrating when needed) the read-model tables in `options.path` or `options.database`.
   * Rejects with `ReadModelSchemaTooNewError` for tables written by a newer version, and `StoreUnavailableError`
   * when the file cannot be opened as SQLite.
   */
  static async open(options: SqliteReadModelStoreOptions): Promise<SqliteReadModelStore> {
    const busyTimeoutMs = Math.max(0, Math.floor(options.busyTimeoutMs ?? 5000));
    if (options.database !== undefined) {
      migrateSqliteReadModel(options.database, options.database.name);
      return new SqliteReadModelStore(options.database, false);
    }
    if (options.path === undefined) {
      throw new TypeError('SqliteReadModelStore.open needs `path` (a file or ":memory:") or an open `database`');
    }
    let db: SqliteDatabase | undefined;
    try {
      db = new Database(options.path, { timeout: busyTimeoutMs });
      db.pragma('journal_mode = WAL');
      // A commit survives a process crash; a power cut may lose the last batches, never the match with the checkpoint.
      db.pragma('synchronous = NORMAL');
      migrateSqliteReadModel(db, options.path);
      return new SqliteReadModelStore(db, true);
    } catch (error) {
      db?.close();
      if (!isOpenFailure(error)) throw error;
      throw new StoreUnavailableError(`sqlite:${options.path}`, `${(error as Error).message}; check that the path is a ` +
        `writable SQLite file (or a new file in a writable directory)`, { cause: error });
    }
  }

  /** The better-sqlite3 connection, for reading the tables handlers create through `sql`. */
  get database(): SqliteDatabase {
    return this.#db;
  }

  async loadCheckpoint(namespace: string): Promise<Position | undefined> {
    this.#assertOpen();
    const text = this.#statements.loadCheckpoint.get(namespace) as string | undefined;
    return text === undefined ? undefined : parsePosition(text);
  }

  async commitBatch(batch: BatchCommit): Promise<void> {
    this.#assertOpen();
    assertNamespace(batch.namespace);
    const rows = toBatchRows(batch);
    this.#commit(batch, rows);
  }

  #commitInTransaction(batch: BatchCommit, rows: BatchRows): void {
    const s = this.#statements;
    const namespace = batch.namespace;
    // Every batch is fenced, also one that moves no checkpoint (a dead-letter replay): it must not land after another
    // writer took the namespace over either.
    const stored = s.loadCheckpoint.get(namespace) as string | undefined;
    assertExpectedCheckpoint(namespace, batch.expectedCheckpoint, stored === undefined ? undefined : parsePosition(stored));
    const { upserts, deletes } = rows;
    let next = 0;
    for (; next + UPSERT_CHUNK <= upserts.length; next += UPSERT_CHUNK) {
      const params: string[] = [];
      for (let i = next; i < next + UPSERT_CHUNK; i++) {
        const row = upserts[i]!;
        params.push(namespace, row.collection, row.id, row.body);
      }
      s.upsertChunk.run(params);
    }
    for (; next < upserts.length; next++) {
      const row = upserts[next]!;
      s.upsertOne.run(namespace, row.collection, row.id, row.body);
    }
    for (const row of deletes) s.deleteDocument.run(namespace, row.collection, row.id);
    for (const statement of batch.statements) {
      try {
        this.#handlerStatement(statement.text).run(...(statement.params as unknown[]));
      } catch (cause) {
        throw new ReadModelStatementError(namespace, statement.text, { cause });
      }
    }
    for (const position of batch.removeDeadLetters) s.deleteDeadLetter.run(namespace, formatPosition(position));
    for (const deadLetter of batch.deadLetters) s.insertDeadLetter.run({ namespace, ...toDeadLetterRow(deadLetter) });
    if (batch.checkpoint !== undefined) s.saveCheckpoint.run(namespace, formatPosition(batch.checkpoint));
  }

  #handlerStatement(text: string): Statement {
    let statement = this.#handlerStatements.get(text);
    if (statement === undefined) {
      if (this.#handlerStatements.size >= STATEMENT_CACHE_SIZE) this.#handlerStatements.clear();
      statement = this.#db.prepare(text);
      this.#handlerStatements.set(text, statement);
    }
    return statement;
  }

  async readDocument<T extends Document = Document>(namespace: string, collection: string, id: string): Promise<T | undefined> {
    this.#assertOpen();
    const body = this.#statements.readDocument.get(namespace, collection, id) as string | undefined;
    return body === undefined ? undefined : (JSON.parse(body) as T);
  }

  async listDocuments<T extends Document = Document>(
    namespace: string,
    collection: string,
    options: ListDocumentsOptions = {},
  ): Promise<StoredDocument<T>[]> {
    this.#assertOpen();
    // SQLite reads LIMIT -1 as no limit.
    const limit = listLimit(options) ?? -1;
    const rows = (
      options.afterId === undefined
        ? this.#statements.listFirst.all(namespace, collection, limit)
        : this.#statements.listAfter.all(namespace, collection, options.afterId, limit)
    ) as { id: string; body: string }[];
    return rows.map((row) => ({ id: row.id, document: JSON.parse(row.body) as T }));
  }

  async listDeadLetters(namespace: string): Promise<DeadLetter[]> {
    this.#assertOpen();
    return fromDeadLetterRows(namespace, this.#statements.listDeadLetters.all(namespace) as DeadLetterRow[]);
  }

  async activate(projectionName: string, version: number): Promise<void> {
    this.#assertOpen();
    assertProjectionIdentity(projectionName, version);
    this.#statements.activate.run(projectionName, version);
  }

  async activeVersion(projectionName: string): Promise<number | undefined> {
    this.#assertOpen();
    return this.#statements.activeVersion.get(projectionName) as number | undefined;
  }

  async dropNamespace(namespace: string): Promise<void> {
    this.#assertOpen();
    assertNamespace(namespace);
    this.#drop(namespace);
  }

  #dropInTransaction(namespace: string): void {
    const s = this.#statements;
    s.dropDocuments.run(namespace);
    s.dropCheckpoint.run(namespace);
    s.dropDeadLetters.run(namespace);
    for (const table of ownedTables(namespace, s.tables.all() as string[], s.knownNamespaces.all() as string[])) {
      this.#db.exec(`DROP TABLE ${quoteIdentifier(table)}`);
    }
    // Dropped tables invalidate prepared handler statements that used them.
    this.#handlerStatements.clear();
  }

  async acquireLease(namespace: string, owner: string): Promise<Lease | undefined> {
    this.#assertOpen();
    assertNamespace(namespace);
    return this.#leases.acquire(this.#filePath, namespace, owner);
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.#leases.closeAll('The SQLite read-model store');
    if (this.#ownsDatabase) this.#db.close();
  }

  #assertOpen(): void {
    if (this.#closed) throw new StoreClosedError('The SQLite read-model store');
  }
}
