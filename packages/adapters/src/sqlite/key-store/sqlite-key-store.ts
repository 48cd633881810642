import Database from 'better-sqlite3';
import type { Database as SqliteDatabase } from 'better-sqlite3';
import type { ForgetOutcome, KeyImportSummary, KeyRecord, KeyStore, SubjectId, SubjectKey, SubjectKeyState } from '@clusterconf/domain';
import { planKeyImport, StoreClosedError, toKeyRecord } from '@clusterconf/domain';
import { migrateSqliteKeyStore } from './sqlite-key-store-migrations.js';

/** Options of `SqliteKeyStore.open`: a file of its own, or the connection of another store (keys in its file). */
export type SqliteKeyStoreOptions =
  | {
    /** A file for the keys alone (created when missing), or `':memory:'`. */
    readonly path: string;
    /** How long a write waits for another process's write lock; default 5000 ms. */
    readonly busyTimeoutMs?: number;
  }
  | {
    /** An open connection, e.g. `SqliteEventStore.database`: the keys get their own tables in that file. Not closed by `close()`. */
    readonly database: SqliteDatabase;
  };

interface KeyRow {
  readonly subject: string;
  readonly key: Buffer | null;
  readonly created_at: string | null;
  readonly forgotten_at: string | null;
}

const stateOf = (row: KeyRow): SubjectKeyState =>
  row.key === null ? { state: 'forgotten', forgottenAt: row.forgotten_at! } : { state: 'active', key: row.key, createdAt: row.created_at! };

const EXPORT_PAGE = 1000;

/**
 * Subjects' keys in SQLite (better-sqlite3): in a file of their own, or in the event store's file beside its tables.
 * `createKeys` runs in one `BEGIN IMMEDIATE` transaction (insert each key unless its subject has an entry, then read
 * them all back), so concurrent creators in any process end with the same key. `forget` overwrites the key's bytes
 * (`secure_delete` is on for this connection) and truncates the WAL afterwards, so the key is not left in the file's
 * free pages or its log; copies of the file taken before (backups) still hold it.
 */
export class SqliteKeyStore implements KeyStore {
  readonly #db: SqliteDatabase;
  readonly #ownsDatabase: boolean;
  readonly #statements: ReturnType<typeof prepare>;
  #closed = false;

  private constructor(db: SqliteDatabase, ownsDatabase: boolean) {
    this.#db = db;
    this.#ownsDatabase = ownsDatabase;
    this.#statements = prepare(db);
  }

  /** Opens (and creates or migrates) the key store's tables. */
  static async open(options: SqliteKeyStoreOptions): Promise<SqliteKeyStore> {
    const owns = 'path' in options;
    const db = owns ? new Database(options.path) : options.database;
    try {
      if (owns) {
        if (options.path !== ':memory:') db.pragma('journal_mode = WAL');
        db.pragma('synchronous = NORMAL');
        db.pragma(`busy_timeout = ${options.busyTimeoutMs ?? 5000}`);
      }
      db.pragma('secure_delete = ON');
      migrateSqliteKeyStore(db, owns ? options.path : db.name);
    } catch (error) {
      if (owns) db.close();
      throw error;
    }
    return new SqliteKeyStore(db, owns);
  }

  async loadKeys(subjects: readonly SubjectId[]): Promise<ReadonlyMap<SubjectId, SubjectKeyState>> {
    this.#assertOpen();
    return this.#load(subjects);
  }

  async createKeys(candidates: ReadonlyMap<SubjectId, SubjectKey>, createdAt: string): Promise<ReadonlyMap<SubjectId, SubjectKeyState>> {
    this.#assertOpen();
    const create = this.#db.transaction(() => {
      for (const [subject, key] of candidates) this.#statements.insertKey.run(subject, Buffer.from(key), createdAt);
      return this.#load([...candidates.keys()]);
    });
    return create.immediate();
  }

  async forget(subject: SubjectId, at: string): Promise<ForgetOutcome> {
    this.#assertOpen();
    const forget = this.#db.transaction((): ForgetOutcome => {
      const row = this.#statements.loadOne.get(subject) as KeyRow | undefined;
      if (row !== undefined && row.forgotten_at !== null) return { forgottenAt: row.forgotten_at, keyDeleted: false, alreadyForgotten: true };
      this.#statements.forget.run(subject, at);
      return { forgottenAt: at, keyDeleted: row !== undefined, alreadyForgotten: false };
    });
    const outcome = forget.immediate();
    // The old page, key and all, stays in the WAL until a checkpoint; a reader holding it keeps it there (best effort).
    if (outcome.keyDeleted) this.#db.pragma('wal_checkpoint(TRUNCATE)');
    return outcome;
  }

  async *exportKeys(): AsyncIterable<KeyRecord> {
    this.#assertOpen();
    let after = '';
    for (;;) {
      const rows = this.#statements.page.all(after, EXPORT_PAGE) as KeyRow[];
      for (const row of rows) yield toKeyRecord(row.subject as SubjectId, stateOf(row));
      if (rows.length < EXPORT_PAGE) return;
      after = rows[rows.length - 1]!.subject;
    }
  }

  async importKeys(records: readonly KeyRecord[]): Promise<KeyImportSummary> {
    this.#assertOpen();
    const write = this.#db.transaction(() => {
      const plan = planKeyImport(this.#load([...new Set(records.map((record) => record.subject))]), records);
      for (const { subject, state } of plan.inserts) {
        if (state.state === 'active') this.#statements.insertKey.run(subject, Buffer.from(state.key), state.createdAt);
        else this.#statements.forget.run(subject, state.forgottenAt);
      }
      for (const { subject, forgottenAt } of plan.forgets) this.#statements.forget.run(subject, forgottenAt);
      return plan;
    });
    const plan = write.immediate();
    if (plan.forgets.length > 0) this.#db.pragma('wal_checkpoint(TRUNCATE)');
    return plan.summary;
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    if (this.#ownsDatabase) this.#db.close();
  }

  #load(subjects: readonly SubjectId[]): Map<SubjectId, SubjectKeyState> {
    const found = new Map<SubjectId, SubjectKeyState>();
    if (subjects.length === 0) return found;
    // Raw rows: a rebuild loads a key per registration, so no row objects on the way.
    for (const [subject, key, createdAt, forgottenAt] of this.#statements.loadMany.all(JSON.stringify(subjects)) as [string, Buffer | null, string | null, string | null][]) {
      found.set(subject as SubjectId, key === null ? { state: 'forgotten', forgottenAt: forgottenAt! } : { state: 'active', key, createdAt: createdAt! });
    }
    return found;
  }

  #assertOpen(): void {
    if (this.#closed || !this.#db.open) throw new StoreClosedError('The SQLite key store');
  }
}

const prepare = (db: SqliteDatabase) => ({
  insertKey: db.prepare('INSERT INTO personal_data_keys (subject, key, created_at) VALUES (?, ?, ?) ON CONFLICT (subject) DO NOTHING'),
  loadOne: db.prepare('SELECT subject, key, created_at, forgotten_at FROM personal_data_keys WHERE subject = ?'),
  loadMany: db.prepare('SELECT subject, key, created_at, forgotten_at FROM personal_data_keys WHERE subject IN (SELECT value FROM json_each(?))').raw(),
  forget: db.prepare(`INSERT INTO personal_data_keys (subject, key, created_at, forgotten_at) VALUES (?, NULL, NULL, ?)
    ON CONFLICT (subject) DO UPDATE SET key = NULL, forgotten_at = excluded.forgotten_at`),
  page: db.prepare('SELECT subject, key, created_at, forgotten_at FROM personal_data_keys WHERE subject > ? ORDER BY subject LIMIT ?'),
});
