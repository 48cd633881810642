import type pg from 'pg';
import type { ForgetOutcome, KeyImportSummary, KeyRecord, KeyStore, SubjectId, SubjectKey, SubjectKeyState } from '@clusterconf/domain';
import { planKeyImport, StoreClosedError, toKeyRecord } from '@clusterconf/domain';
import { connectionFailure, isConnectionError, type Endpoint } from '../event-store/connection-errors.js';
import { quoteSchema } from '../event-store/schema-name.js';
import { storePool, type PoolOptions } from '../pool.js';
import { migratePostgresKeyStore } from './postgres-key-store-migrations.js';

/** Options of `PostgresKeyStore.open`. */
export interface PostgresKeyStoreOptions extends PoolOptions {
  /**
   * The schema of the `personal_data_keys` table; created and migrated on open. Default `clusterconf`, the event
   * store's: give another schema, or a connection string of another database, to keep keys apart from the log.
   */
  readonly schema?: string;
}

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
 * Subjects' keys in PostgreSQL (node-postgres), in their own table with its own migrations. `createKeys` inserts with
 * `on conflict do nothing` and then reads the rows back in a second statement: the insert waits for a concurrent
 * creator of the same subject to commit, and the read, with a snapshot taken after that, sees the one key stored, so
 * every creator in every process gets it. A forget clears the key in its row; the old row version stays on disk
 * until `VACUUM personal_data_keys` runs (autovacuum, or by hand after forgets), and in WAL archives and backups.
 */
export class PostgresKeyStore implements KeyStore {
  readonly #pool: pg.Pool;
  readonly #ownsPool: boolean;
  readonly #endpoint: Endpoint;
  readonly #sql: ReturnType<typeof statementsFor>;
  #closed = false;

  private constructor(pool: pg.Pool, ownsPool: boolean, endpoint: Endpoint, q: string) {
    this.#pool = pool;
    this.#ownsPool = ownsPool;
    this.#endpoint = endpoint;
    this.#sql = statementsFor(q);
  }

  /** Opens the key store, creating and migrating its table when needed. */
  static async open(options: PostgresKeyStoreOptions = {}): Promise<PostgresKeyStore> {
    const schema = options.schema ?? 'clusterconf';
    const q = quoteSchema(schema);
    const { pool, ownsPool, endpoint } = storePool(options);
    try {
      const client = await pool.connect();
      try {
        await migratePostgresKeyStore(client, schema, q);
      } finally {
        client.release();
      }
    } catch (error) {
      if (ownsPool) await pool.end().catch(() => undefined);
      throw connectionFailure(error, endpoint);
    }
    return new PostgresKeyStore(pool, ownsPool, endpoint, q);
  }

  async loadKeys(subjects: readonly SubjectId[]): Promise<ReadonlyMap<SubjectId, SubjectKeyState>> {
    this.#assertOpen();
    if (subjects.length === 0) return new Map();
    return this.#run((client) => this.#load(client, subjects));
  }

  async createKeys(candidates: ReadonlyMap<SubjectId, SubjectKey>, createdAt: string): Promise<ReadonlyMap<SubjectId, SubjectKeyState>> {
    this.#assertOpen();
    if (candidates.size === 0) return new Map();
    const subjects = [...candidates.keys()];
    return this.#run(async (client) => {
      await client.query(this.#sql.insertKeys, [subjects, subjects.map((subject) => Buffer.from(candidates.get(subject)!)), createdAt]);
      return this.#load(client, subjects);
    });
  }

  async forget(subject: SubjectId, at: string): Promise<ForgetOutcome> {
    this.#assertOpen();
    return this.#transaction(async (client) => {
      const inserted = await client.query(this.#sql.insertForgotten, [subject, at]);
      if (inserted.rowCount === 1) return { forgottenAt: at, keyDeleted: false, alreadyForgotten: false };
      const { rows } = await client.query<KeyRow>(this.#sql.lockOne, [subject]);
      const row = rows[0]!;
      if (row.forgotten_at !== null) return { forgottenAt: row.forgotten_at, keyDeleted: false, alreadyForgotten: true };
      await client.query(this.#sql.clearKey, [subject, at]);
      return { forgottenAt: at, keyDeleted: true, alreadyForgotten: false };
    });
  }

  async *exportKeys(): AsyncIterable<KeyRecord> {
    this.#assertOpen();
    let after = '';
    for (;;) {
      const rows = await this.#run(async (client) => (await client.query<KeyRow>(this.#sql.page, [after, EXPORT_PAGE])).rows);
      for (const row of rows) yield toKeyRecord(row.subject as SubjectId, stateOf(row));
      if (rows.length < EXPORT_PAGE) return;
      after = rows[rows.length - 1]!.subject;
    }
  }

  async importKeys(records: readonly KeyRecord[]): Promise<KeyImportSummary> {
    this.#assertOpen();
    return this.#transaction(async (client) => {
      // Writers of keys wait until the import is decided and written, so what it was decided on stays true.
      await client.query(this.#sql.lockTable);
      const plan = planKeyImport(await this.#load(client, [...new Set(records.map((record) => record.subject))]), records);
      for (const { subject, state } of plan.inserts) {
        if (state.state === 'active') await client.query(this.#sql.insertKeys, [[subject], [Buffer.from(state.key)], state.createdAt]);
        else await client.query(this.#sql.insertForgotten, [subject, state.forgottenAt]);
      }
      for (const { subject, forgottenAt } of plan.forgets) await client.query(this.#sql.clearKey, [subject, forgottenAt]);
      return plan.summary;
    });
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    if (this.#ownsPool) await this.#pool.end();
  }

  async #load(client: pg.ClientBase, subjects: readonly SubjectId[]): Promise<Map<SubjectId, SubjectKeyState>> {
    const found = new Map<SubjectId, SubjectKeyState>();
    if (subjects.length === 0) return found;
    const { rows } = await client.query<KeyRow>(this.#sql.loadMany, [subjects]);
    for (const row of rows) found.set(row.subject as SubjectId, stateOf(row));
    return found;
  }

  async #run<T>(work: (client: pg.PoolClient) => Promise<T>): Promise<T> {
    let client: pg.PoolClient;
    try {
      client = await this.#pool.connect();
    } catch (error) {
      throw connectionFailure(error, this.#endpoint);
    }
    try {
      return await work(client);
    } catch (error) {
      throw isConnectionError(error) ? connectionFailure(error, this.#endpoint) : error;
    } finally {
      client.release();
    }
  }

  #transaction<T>(work: (client: pg.PoolClient) => Promise<T>): Promise<T> {
    return this.#run(async (client) => {
      await client.query('begin');
      try {
        const result = await work(client);
        await client.query('commit');
        return result;
      } catch (error) {
        await client.query('rollback').catch(() => undefined);
        throw error;
      }
    });
  }

  #assertOpen(): void {
    if (this.#closed) throw new StoreClosedError('The PostgreSQL key store');
  }
}

const statementsFor = (q: string) => ({
  insertKeys: `insert into ${q}.personal_data_keys (subject, key, created_at)
    select s, k, $3 from unnest($1::text[], $2::bytea[]) as t(s, k) on conflict (subject) do nothing`,
  loadMany: `select subject, key, created_at, forgotten_at from ${q}.personal_data_keys where subject = any($1::text[])`,
  insertForgotten: `insert into ${q}.personal_data_keys (subject, key, created_at, forgotten_at) values ($1, null, null, $2) on conflict (subject) do nothing`,
  lockOne: `select subject, key, created_at, forgotten_at from ${q}.personal_data_keys where subject = $1 for update`,
  clearKey: `update ${q}.personal_data_keys set key = null, forgotten_at = $2 where subject = $1`,
  page: `select subject, key, created_at, forgotten_at from ${q}.personal_data_keys where subject > $1 order by subject limit $2`,
  lockTable: `lock table ${q}.personal_data_keys in share row exclusive mode`,
});
