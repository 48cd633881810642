import type { Position } from '@clusterconf/domain';

/**
 * A read-model document: a JSON object. Stores keep it as JSON text, so values must survive JSON round trips
 * (no bigint, no undefined inside arrays, no Date objects: use strings).
 */
export type Document = { readonly [key: string]: unknown };

/** A document as `mutate` hands it out: the same shape with every `readonly` removed, to be changed in place. */
export type Draft<T> = T extends readonly (infer Item)[] ? Draft<Item>[] : T extends object ? { -readonly [Key in keyof T]: Draft<T[Key]> } : T;

/**
 * What a handler uses to change its read model. Documents are addressed by (collection, id) inside the
 * projection version's namespace. The runner hands out a write-behind unit of work: reads see the batch's own
 * pending writes, and nothing reaches the store until the batch commits with its checkpoint in one transaction.
 */
export interface DocumentOperations {
  /** The namespace being written, `<projectionName>_v<version>`; prefix your own SQL tables with it. */
  readonly namespace: string;
  /** The document, or `undefined` when it does not exist. */
  get<T extends Document = Document>(collection: string, id: string): Promise<T | undefined>;
  /**
   * Read-modify-write with a pure function: `change` gets the current document (`undefined` when missing) and returns
   * the next one, the same object to leave it as it is, or `undefined` to delete it. Returns nothing, and nothing need
   * be awaited: when the document is at hand (in the batch or the runner's cache, almost always during a rebuild) it
   * applies at once; otherwise once the store has read it, and the runner waits for that read before it keeps the
   * event (a failed read fails the event). A later `get` of the document in the same event sees the update.
   */
  update<T extends Document = Document>(collection: string, id: string, change: (current: T | undefined) => T | undefined): void;
  /**
   * Read-modify-write in place, for documents that change on many events or grow: `change` gets a draft of the
   * document (made by `create` when it is missing) and changes it directly. The first `mutate` of a document in a
   * batch copies it; the batch's later ones change that same draft, so a document pays for one copy per batch instead
   * of one per event. Nothing anyone else holds ever changes: committed documents and whatever `get` or `update`
   * handed out are copied, never written, and reading a draft through them ends it (the next `mutate` copies again).
   * `create` and `change` must depend only on their arguments and the event: when a later handler of the same event
   * throws, the draft is made again from its copy with the batch's earlier changes. Returns nothing, and applies like
   * `update`: at once when the document is at hand, else once read, before the runner keeps the event.
   */
  mutate<T extends Document = Document>(collection: string, id: string, create: () => T, change: (draft: Draft<T>) => void): void;
  /** Creates or replaces the document. */
  upsert(collection: string, id: string, document: Document): Promise<void>;
  /** Shallow-merges `partial` into the document; throws `DocumentNotFoundError` when it does not exist. */
  patch(collection: string, id: string, partial: Document): Promise<void>;
  /** Removes the document; removing a missing document is a no-op. */
  delete(collection: string, id: string): Promise<void>;
  /**
   * Present only on stores with a `sqlDialect`: queues a parameterised statement that runs inside the batch's
   * transaction, after the batch's document changes, in call order. It cannot read: keep what a handler must read
   * in documents.
   */
  readonly sql?: (text: string, params?: readonly unknown[]) => void;
}

/** One document change of a batch; a batch holds at most one change per (collection, id), the last one made. */
export type DocumentChange =
  | { readonly kind: 'upsert'; readonly collection: string; readonly id: string; readonly document: Document }
  | { readonly kind: 'delete'; readonly collection: string; readonly id: string };

/** A plain SQL statement queued by a handler through `DocumentOperations.sql`. */
export interface SqlStatement {
  readonly text: string;
  readonly params: readonly unknown[];
}

/** The event a dead letter keeps, in its stored (JSON) form, so it can be replayed after a fix. */
export interface DeadLetterEvent {
  readonly streamId: string;
  readonly streamRevision: bigint;
  readonly position: Position;
  readonly type: string;
  /** `null` with `metadata` for a row the event store could not read (`errorCode` `CORRUPT_EVENT`). */
  readonly data: unknown;
  /**
   * `null` for a row the event store could not read: nothing of it was readable but where it is and its type, so a
   * replay reads the row again from the event store (after it was repaired).
   */
  readonly metadata: null | {
    readonly eventId: string;
    readonly occurredAt: string;
    readonly correlationId: string;
    readonly causationId: string;
    readonly schemaVersion: number;
  };
}

/** An event a projection could not apply, recorded instead of stopping (opt-in policy `deadLetters: 'record'`). */
export interface DeadLetter {
  readonly namespace: string;
  readonly event: DeadLetterEvent;
  /** `code` of the error when it had one (e.g. `EVENT_DECODE_FAILED`), else the error's name. */
  readonly errorCode: string;
  readonly errorMessage: string;
  /** ISO 8601 instant the dead letter was recorded. */
  readonly recordedAt: string;
}

/**
 * Everything one batch commits, in ONE transaction: document changes, queued SQL, dead letters recorded or
 * removed, and the checkpoint. Either all of it is visible afterwards or none of it. Every batch is fenced on
 * `expectedCheckpoint`, also one that moves no checkpoint.
 */
export interface BatchCommit {
  readonly namespace: string;
  readonly changes: readonly DocumentChange[];
  readonly statements: readonly SqlStatement[];
  readonly deadLetters: readonly DeadLetter[];
  /** Positions of dead letters to remove (they were replayed successfully). */
  readonly removeDeadLetters: readonly Position[];
  /** The new checkpoint; `undefined` leaves it unchanged (a dead-letter replay does not move the checkpoint). */
  readonly checkpoint: Position | undefined;
  /**
   * The checkpoint the writer believes is stored now, the one it last loaded or committed (`undefined`: none stored
   * yet). The store compares it with the stored one inside the batch's transaction and refuses the whole batch with
   * `CheckpointConflictError` (`code` `CHECKPOINT_CONFLICT`) when they differ, so a writer that another one overtook
   * (a lapsed lease) cannot overwrite its work.
   */
  readonly expectedCheckpoint: Position | undefined;
}

/** Options of `listDocuments`: pages through a collection in id order (byte order of the UTF-8 id). */
export interface ListDocumentsOptions {
  /** Exclusive: ids strictly after this one. */
  readonly afterId?: string;
  readonly limit?: number;
}

/** The `limit` of `listDocuments`, checked the same way by every store: `undefined` lists everything. */
export const listLimit = (options: ListDocumentsOptions): number | undefined => {
  const { limit } = options;
  if (limit !== undefined && (!Number.isSafeInteger(limit) || limit < 0)) {
    throw new RangeError(`listDocuments limit ${limit} is not a whole number ≥ 0; omit it to list everything`);
  }
  return limit;
};

/** A document with its id, as `listDocuments` returns it. */
export interface StoredDocument<T extends Document = Document> {
  readonly id: string;
  readonly document: T;
}

/** Exclusive ownership of a namespace: exactly one runner writes it while the lease is held. */
export interface Lease {
  readonly namespace: string;
  readonly owner: string;
  /** Aborts when ownership is lost (connection dropped, file lock gone); the holder must stop writing at once. */
  readonly lost: AbortSignal;
  /** Gives ownership up; idempotent. */
  release(): Promise<void>;
}

/** The `code` of `CheckpointConflictError`: a batch's `expectedCheckpoint` was not the stored checkpoint. */
export const CHECKPOINT_CONFLICT_CODE = 'CHECKPOINT_CONFLICT';

/**
 * What a store promises about a batch:
 * - `exactly-once-durable`: documents, dead letters and the checkpoint commit in one durable transaction, so after
 *   a crash the runner resumes from a checkpoint that matches the documents exactly (SQLite, PostgreSQL);
 * - `exactly-once-volatile`: the same atomicity in process memory; a crash loses documents and checkpoint together,
 *   so the next start rebuilds from position zero (memory).
 */
export type ReadModelGuarantee = 'exactly-once-durable' | 'exactly-once-volatile';

/**
 * The read-model store port. A namespace (`<projectionName>_v<version>`, see `namespaceOf`) holds one projection
 * version's documents, checkpoint and dead letters, so two versions can be built side by side (blue/green).
 * Implemented in memory here and for SQLite and PostgreSQL in @clusterconf/adapters.
 */
export interface ReadModelStore {
  /** A short name for messages and benchmarks: `memory`, `sqlite`, `postgres`. */
  readonly kind: string;
  readonly guarantee: ReadModelGuarantee;
  /** Set when handlers may queue plain SQL (`DocumentOperations.sql`) in this store's dialect. */
  readonly sqlDialect?: 'sqlite' | 'postgres';

  /** The namespace's last committed checkpoint, or `undefined` when nothing was committed yet. */
  loadCheckpoint(namespace: string): Promise<Position | undefined>;
  /**
   * Commits a batch atomically (see `BatchCommit`). Refuses it whole, writing nothing, with `CheckpointConflictError`
   * (`code` `CHECKPOINT_CONFLICT_CODE`) when the namespace's stored checkpoint is not `batch.expectedCheckpoint`,
   * checked inside the commit's transaction; the runner then reloads the checkpoint and resumes from it.
   */
  commitBatch(batch: BatchCommit): Promise<void>;

  /** Reads one committed document. */
  readDocument<T extends Document = Document>(namespace: string, collection: string, id: string): Promise<T | undefined>;
  /** Lists committed documents of a collection in id order. */
  listDocuments<T extends Document = Document>(
    namespace: string,
    collection: string,
    options?: ListDocumentsOptions,
  ): Promise<StoredDocument<T>[]>;

  /** Dead letters of a namespace in position order. */
  listDeadLetters(namespace: string): Promise<DeadLetter[]>;

  /** Points readers of `projectionName` at `version`'s namespace, atomically. */
  activate(projectionName: string, version: number): Promise<void>;
  /** The active version of a projection, or `undefined` when none was activated. */
  activeVersion(projectionName: string): Promise<number | undefined>;
  /** Deletes a namespace's documents, SQL-visible tables it owns, checkpoint and dead letters. */
  dropNamespace(namespace: string): Promise<void>;

  /**
   * Tries to take exclusive ownership of a namespace for `owner`; resolves `undefined` when another holder has it.
   * Optional: a store without it relies on the caller to run one runner per namespace.
   */
  acquireLease?(namespace: string, owner: string): Promise<Lease | undefined>;

  /** Releases connections and files. */
  close(): Promise<void>;
}
