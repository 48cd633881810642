import type { Position } from '@clusterconf/domain';
import { DocumentNotFoundError } from './errors.js';
import type { BatchCommit, DeadLetter, Document, DocumentChange, DocumentOperations, ReadModelStore, SqlStatement } from './read-model-store.js';

/** Committed documents kept between batches at most; beyond it the cache starts over. */
const READ_CACHE_LIMIT = 10_000;

const keyOf = (collection: string, id: string): string => `${collection}\u0000${id}`;

/** Freezes a document and everything inside it, so a handler that mutates a read document fails loudly. */
const freezeDeeply = <T>(value: T): T => {
  if (value !== null && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const key in value) freezeDeeply(value[key]);
  }
  return value;
};

/** Shared by the synchronous operations, which have nothing to wait for. */
const RESOLVED: Promise<void> = Promise.resolve();

/** Marks, in the undo log, a key that had no pending change before the current event. */
const NONE = Symbol('none');

/**
 * The write-behind unit of work behind a handler's `DocumentOperations`. Writes of the event being applied are
 * undone when its handler throws (an undo log of the pending changes they replaced), so a failed event leaves no
 * partial change behind; the batch reaches the store in one `commitBatch`.
 */
export class UnitOfWork {
  readonly #store: ReadModelStore;
  readonly #namespace: string;
  /** Changes of the batch, last one per key. */
  readonly #pending = new Map<string, DocumentChange>();
  /** For each key the event in hand changed, the pending change it replaced. */
  readonly #undo = new Map<string, DocumentChange | typeof NONE>();
  /**
   * Committed documents known to this unit of work (`undefined`: known to be missing), kept across batches because
   * the runner is the namespace's only writer; `reset()` forgets them whenever that may no longer hold.
   */
  readonly #read = new Map<string, Document | undefined>();
  #statements: SqlStatement[] = [];
  #scratchStatements: SqlStatement[] = [];
  #deadLetters: DeadLetter[] = [];
  #removeDeadLetters: Position[] = [];
  /** The operations object handed to handlers. */
  readonly operations: DocumentOperations;

  readonly #freeze: <T>(value: T) => T;

  /** `freezeDocuments` (default true) deep-freezes every document handlers read or write. */
  constructor(store: ReadModelStore, namespace: string, { freezeDocuments = true }: { readonly freezeDocuments?: boolean } = {}) {
    this.#store = store;
    this.#namespace = namespace;
    const deepFreeze = freezeDocuments ? freezeDeeply : <T>(value: T): T => value;
    this.#freeze = deepFreeze;
    const operations: DocumentOperations = {
      namespace,
      get: <T extends Document = Document>(collection: string, id: string) => this.#get(collection, id) as Promise<T | undefined>,
      upsert: (collection, id, document) => {
        this.#stage(keyOf(collection, id), { kind: 'upsert', collection, id, document: deepFreeze(document) });
        return RESOLVED;
      },
      patch: async (collection, id, partial) => {
        const current = await this.#get(collection, id);
        if (current === undefined) throw new DocumentNotFoundError(namespace, collection, id);
        this.#stage(keyOf(collection, id), { kind: 'upsert', collection, id, document: deepFreeze({ ...current, ...partial }) });
      },
      delete: (collection, id) => {
        this.#stage(keyOf(collection, id), { kind: 'delete', collection, id });
        return RESOLVED;
      },
    };
    this.operations = store.sqlDialect
      ? { ...operations, sql: (text, params = []) => void this.#scratchStatements.push({ text, params }) }
      : operations;
  }

  /** True when the batch holds anything to commit besides a checkpoint. */
  get hasChanges(): boolean {
    return this.#pending.size > 0 || this.#statements.length > 0 || this.#deadLetters.length > 0 || this.#removeDeadLetters.length > 0;
  }

  /** Keeps the changes the current event made. */
  keepEvent(): void {
    if (this.#undo.size > 0) this.#undo.clear();
    if (this.#scratchStatements.length > 0) {
      this.#statements.push(...this.#scratchStatements);
      this.#scratchStatements = [];
    }
  }

  /** Forgets the changes the current event made (its handler threw). */
  discardEvent(): void {
    for (const [key, previous] of this.#undo) {
      if (previous === NONE) this.#pending.delete(key);
      else this.#pending.set(key, previous);
    }
    this.#undo.clear();
    this.#scratchStatements = [];
  }

  /** Adds a dead letter to the batch. */
  recordDeadLetter(deadLetter: DeadLetter): void {
    this.#deadLetters.push(deadLetter);
  }

  /** Marks a dead letter for removal in this batch. */
  removeDeadLetter(position: Position): void {
    this.#removeDeadLetters.push(position);
  }

  /** Commits the batch with `checkpoint` in one store transaction, then starts a new batch. */
  async commit(checkpoint: Position | undefined): Promise<void> {
    const batch: BatchCommit = {
      namespace: this.#namespace,
      changes: [...this.#pending.values()],
      statements: this.#statements,
      deadLetters: this.#deadLetters,
      removeDeadLetters: this.#removeDeadLetters,
      checkpoint,
    };
    await this.#store.commitBatch(batch);
    if (this.#read.size + this.#pending.size > READ_CACHE_LIMIT) this.#read.clear();
    for (const [key, change] of this.#pending) this.#read.set(key, change.kind === 'upsert' ? change.document : undefined);
    this.#pending.clear();
    this.#undo.clear();
    this.#statements = [];
    this.#scratchStatements = [];
    this.#deadLetters = [];
    this.#removeDeadLetters = [];
  }

  /** Drops everything not yet committed and every cached document. */
  reset(): void {
    this.#pending.clear();
    this.#undo.clear();
    this.#read.clear();
    this.#statements = [];
    this.#scratchStatements = [];
    this.#deadLetters = [];
    this.#removeDeadLetters = [];
  }

  #stage(key: string, change: DocumentChange): void {
    if (!this.#undo.has(key)) this.#undo.set(key, this.#pending.get(key) ?? NONE);
    this.#pending.set(key, change);
  }

  async #get(collection: string, id: string): Promise<Document | undefined> {
    const key = keyOf(collection, id);
    const change = this.#pending.get(key);
    if (change !== undefined) return change.kind === 'upsert' ? change.document : undefined;
    if (this.#read.has(key)) return this.#read.get(key);
    const document = this.#freeze(await this.#store.readDocument(this.#namespace, collection, id));
    this.#read.set(key, document);
    return document;
  }
}
