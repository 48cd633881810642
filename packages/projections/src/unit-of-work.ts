import type { Position } from '@clusterconf/domain';
import { DocumentNotFoundError } from './errors.js';
import type { BatchCommit, DeadLetter, Document, DocumentChange, DocumentOperations, Draft, ReadModelStore, SqlStatement } from './read-model-store.js';

/** Committed documents kept between batches at most; beyond it the cache starts over. */
const READ_CACHE_LIMIT = 10_000;

/**
 * Freezes a document and everything inside it, so a handler that mutates a read document fails loudly. Parts already
 * frozen (shared with the previous version of the document) are not walked again. Off in production (see
 * `freezeDocumentsByDefault`), so its cost is development's only.
 */
const freezeDeeply = <T>(value: T): T => {
  if (typeof value !== 'object' || value === null || Object.isFrozen(value)) return value;
  Object.freeze(value);
  for (const item of Object.values(value)) freezeDeeply(item);
  return value;
};

/** The runner's default for `freezeDocuments`: on, except under `NODE_ENV=production`. */
export const freezeDocumentsByDefault = (env: { readonly NODE_ENV?: string } = process.env): boolean => env.NODE_ENV !== 'production';

/** Shared by the synchronous operations, which have nothing to wait for. */
const RESOLVED: Promise<void> = Promise.resolve();

/** A pending deletion, in the map of pending documents. */
const DELETED = Symbol('deleted');

/** What `#peek` returns for a document neither the batch nor the cache knows. */
const UNKNOWN = Symbol('unknown');

/** Marks, in the undo log, a key that had no pending change before the current event. */
const NONE = Symbol('none');

/** What the event in hand replaced for one document, so `discardEvent` can put it back. */
interface UndoRecord {
  readonly collection: string;
  readonly id: string;
  readonly previous: Pending | typeof NONE;
  /** For a draft, its number of changes before the event (`BatchDraft.startOf`). */
  readonly draftStart: number;
}

/** A change `mutate` makes to a draft in place. */
type DraftChange = (draft: Document) => void;

/**
 * A document the batch copied for `mutate` and owns: it is changed in place until the batch commits or a handler
 * reads it, whichever comes first. It remembers how it was made (a copy and the changes since), so the changes of an
 * event whose handler failed can be taken back by making it again without them. It also remembers the last event that
 * changed it and where that event started, so the unit of work needs no undo record per change of a draft.
 */
class BatchDraft {
  /** The number (`UnitOfWork` counts events) of the last event that changed the draft. */
  touchedBy = -1;
  /** How many changes the draft had when that event first changed it. */
  eventStart = 0;
  constructor(
    readonly document: Document,
    /** The document the changes start from, never changed itself; `undefined` when `create` made it. */
    private base: Document | undefined,
    private readonly create: () => Document,
    /** Every change applied since `base`, in order. */
    private changes: DraftChange[],
    /** How many changes the draft keeps before it starts again from a copy of itself. */
    private rebaseAfter: number,
  ) {}

  /**
   * Called before event `event` changes the draft: the first time, remembers where the event starts. A draft whose
   * changes grew long starts again from a copy of itself (`rebaseAfter`): each change holds its event's data, which
   * would otherwise live until the commit and make every young-generation collection of the batch copy it (measured:
   * half the scavenge time and about 4 % of the memory rebuild, bench/suites/projection-rebuild.ts).
   */
  touch(event: number): void {
    if (this.touchedBy === event) return;
    this.touchedBy = event;
    if (this.changes.length >= this.rebaseAfter) {
      const before = copiedValues;
      this.base = copyDocument(this.document);
      this.changes = [];
      this.rebaseAfter = rebaseAfterCopying(copiedValues - before);
    }
    this.eventStart = this.changes.length;
  }

  /** Applies a change in place. */
  apply(change: DraftChange): void {
    this.changes.push(change);
    change(this.document);
  }

  /** How many changes the draft had before event `event` changed it: where `rewind` takes it back to. */
  startOf(event: number): number {
    return this.touchedBy === event ? this.eventStart : this.changes.length;
  }

  /** The draft as it was after its first `length` changes, as a new draft. */
  rewind(length: number): BatchDraft {
    const document = copyDocument(this.base ?? this.create());
    const changes = this.changes.slice(0, length);
    for (const change of changes) change(document);
    return new BatchDraft(document, this.base, this.create, changes, this.rebaseAfter);
  }
}

/**
 * How many changes a draft keeps at least before it starts again from a copy of itself (`BatchDraft.touch`); a large
 * document keeps as many changes as its copy held values, so re-basing costs at most one copied value per change.
 */
const REBASE_AFTER = 64;
const rebaseAfterCopying = (values: number): number => Math.max(REBASE_AFTER, values);

/** Values `copyDocument` has copied so far: the difference across one copy is the size of that document. */
let copiedValues = 0;

type Pending = Document | BatchDraft | typeof DELETED;

/** A deep copy of a JSON document (plain objects, arrays and primitives): unfrozen, sharing nothing with `value`. */
const copyDocument = <T>(value: T): T => {
  copiedValues++;
  if (typeof value !== 'object' || value === null) return value;
  if (Array.isArray(value)) {
    const copy: unknown[] = new Array<unknown>(value.length);
    for (let i = 0; i < value.length; i++) copy[i] = copyDocument(value[i]);
    return copy as T;
  }
  const copy: Record<string, unknown> = {};
  for (const key of Object.keys(value)) copy[key] = copyDocument((value as Record<string, unknown>)[key]);
  return copy as T;
};

/**
 * Documents by collection, then id: two lookups of strings the handler already holds cost less than building and
 * hashing a combined key per access (measured: about 6 % of the memory rebuild, bench/suites/projection-rebuild.ts).
 */
class Keyed<V> {
  readonly #collections = new Map<string, Map<string, V>>();
  size = 0;

  #ids(collection: string): Map<string, V> | undefined {
    return this.#collections.get(collection);
  }

  get(collection: string, id: string): V | undefined {
    return this.#ids(collection)?.get(id);
  }

  has(collection: string, id: string): boolean {
    return this.#ids(collection)?.has(id) ?? false;
  }

  set(collection: string, id: string, value: V): void {
    let ids = this.#ids(collection);
    if (ids === undefined) this.#collections.set(collection, (ids = new Map()));
    const before = ids.size;
    ids.set(id, value);
    this.size += ids.size - before;
  }

  delete(collection: string, id: string): void {
    const ids = this.#collections.get(collection);
    if (ids !== undefined && ids.delete(id)) this.size--;
  }

  clear(): void {
    this.#collections.clear();
    this.size = 0;
  }

  *entries(): Generator<[collection: string, id: string, value: V]> {
    for (const [collection, ids] of this.#collections) for (const [id, value] of ids) yield [collection, id, value];
  }
}

/**
 * The write-behind unit of work behind a handler's `DocumentOperations`. Writes of the event being applied are
 * undone when its handler throws (an undo log of the pending changes they replaced), so a failed event leaves no
 * partial change behind; the batch reaches the store in one `commitBatch`.
 */
export class UnitOfWork {
  readonly #store: ReadModelStore;
  readonly #namespace: string;
  /** Changes of the batch, last one per document. */
  readonly #pending = new Keyed<Pending>();
  /**
   * For each document the event in hand replaced (staged a new value for, or read a draft of), what it replaced.
   * Drafts changed in place need no record: they remember the event themselves (`BatchDraft.touch`; measured: about
   * 8 % of the memory rebuild, bench/suites/projection-rebuild.ts).
   */
  #undo: UndoRecord[] = [];
  /** Counts events: the number of the event in hand, which drafts it changes remember. */
  #event = 0;
  /**
   * Committed documents known to this unit of work (`undefined`: known to be missing), kept across batches because
   * the runner is the namespace's only writer; `reset()` forgets them whenever that may no longer hold.
   */
  readonly #read = new Keyed<Document | undefined>();
  /** Updates of the current event waiting for a store read (see `settled`). */
  #updating: Promise<void>[] = [];
  /** How many times changes were dropped (`discardEvent`, `reset`): an update loaded after that does not apply. */
  #discarded = 0;
  /** Store reads in flight, so that concurrent reads of one document share one. */
  readonly #loads = new Keyed<Promise<Document | undefined>>();
  /** The first store read that failed since the event in hand began (see `readFailure`). */
  #readFailure: { readonly error: unknown } | undefined;
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
      update: <T extends Document = Document>(collection: string, id: string, change: (current: T | undefined) => T | undefined) => {
        // A load it starts is tracked: the runner awaits it through `settled`.
        void this.#update(collection, id, change as (current: Document | undefined) => Document | undefined);
      },
      mutate: <T extends Document = Document>(collection: string, id: string, typedCreate: () => T, typedChange: (draft: Draft<T>) => void) => {
        const create = typedCreate as () => Document;
        const change = typedChange as unknown as DraftChange;
        if (this.#mutateAtHand(collection, id, create, change, UNKNOWN)) return;
        const event = this.#discarded;
        this.#track(this.#load(collection, id).then((loaded) => {
          if (event !== this.#discarded) return; // the event's changes were dropped meanwhile
          this.#mutateAtHand(collection, id, create, change, loaded);
        }));
      },
      upsert: (collection, id, document) => {
        this.#stage(collection, id, deepFreeze(document));
        return RESOLVED;
      },
      // An update that refuses a missing document: it shares update's read, its tracking by `settled` and its guard
      // against landing after its event was discarded.
      patch: (collection, id, partial) => {
        try {
          const patched = this.#update(collection, id, (current) => {
            if (current === undefined) throw new DocumentNotFoundError(namespace, collection, id);
            return { ...current, ...partial };
          });
          return patched ?? RESOLVED;
        } catch (error) {
          return Promise.reject(error as Error);
        }
      },
      delete: (collection, id) => {
        this.#stage(collection, id, DELETED);
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

  /**
   * The store reads that updates of the current event still wait for, or `undefined` when none do. The runner awaits
   * them before it keeps the event, so an update or mutate still loading (they return nothing to wait for, and a
   * handler may drop a patch's promise) lands in its own event.
   */
  settled(): Promise<void> | undefined {
    if (this.#updating.length === 0) return undefined;
    const updating = this.#updating;
    this.#updating = [];
    return Promise.all(updating).then(() => undefined);
  }

  /**
   * The store read that failed while the event in hand was applied, if one did. A handler that throws then failed
   * because the store could not answer (a lost connection, a pool without a free one), not because of its event: the
   * runner retries it as a transient fault instead of treating the event as poison.
   */
  get readFailure(): { readonly error: unknown } | undefined {
    return this.#readFailure;
  }

  /** Keeps the changes the current event made. */
  keepEvent(): void {
    this.#readFailure = undefined;
    this.#event++;
    if (this.#undo.length > 0) this.#undo = [];
    if (this.#scratchStatements.length > 0) {
      this.#statements.push(...this.#scratchStatements);
      this.#scratchStatements = [];
    }
  }

  /** Forgets the changes the current event made (its handler threw). */
  discardEvent(): void {
    this.#readFailure = undefined;
    // Drafts the event changed in place go back to where it found them; then the undo log restores what it replaced.
    for (const [collection, id, pending] of this.#pending.entries()) {
      if (pending instanceof BatchDraft && pending.touchedBy === this.#event) this.#pending.set(collection, id, pending.rewind(pending.eventStart));
    }
    this.#event++;
    for (const { collection, id, previous, draftStart } of this.#undo) {
      if (previous === NONE) this.#pending.delete(collection, id);
      else if (previous instanceof BatchDraft) this.#pending.set(collection, id, previous.rewind(draftStart));
      else this.#pending.set(collection, id, previous);
    }
    this.#undo = [];
    this.#scratchStatements = [];
    this.#dropUpdating();
  }

  /** Forgets updates still loading: they must not apply once their event's changes are gone. */
  #dropUpdating(): void {
    this.#discarded++;
    // Their failures are the dropped event's; nobody is left to handle them.
    for (const updating of this.#updating) updating.catch(() => undefined);
    this.#updating = [];
  }

  /** Adds a dead letter to the batch. */
  recordDeadLetter(deadLetter: DeadLetter): void {
    this.#deadLetters.push(deadLetter);
  }

  /** Marks a dead letter for removal in this batch. */
  removeDeadLetter(position: Position): void {
    this.#removeDeadLetters.push(position);
  }

  /**
   * Commits the batch with `checkpoint` (`undefined`: leave it where it is) in one store transaction, fenced on
   * `expected`, the checkpoint the caller last loaded or committed (see `BatchCommit.expectedCheckpoint`); then starts
   * a new batch.
   */
  async commit(checkpoint: Position | undefined, expected: Position | undefined): Promise<void> {
    const changes: DocumentChange[] = [];
    for (const [collection, id, pending] of this.#pending.entries()) {
      if (pending === DELETED) changes.push({ kind: 'delete', collection, id });
      // A draft's batch ends here: from now on its document is a committed one, which `mutate` copies before changing.
      else changes.push({ kind: 'upsert', collection, id, document: pending instanceof BatchDraft ? this.#publish(collection, id, pending) : pending });
    }
    const batch: BatchCommit = {
      namespace: this.#namespace,
      changes,
      statements: this.#statements,
      deadLetters: this.#deadLetters,
      removeDeadLetters: this.#removeDeadLetters,
      checkpoint,
      expectedCheckpoint: expected,
    };
    await this.#store.commitBatch(batch);
    if (this.#read.size + this.#pending.size > READ_CACHE_LIMIT) this.#read.clear();
    for (const change of changes) this.#read.set(change.collection, change.id, change.kind === 'upsert' ? change.document : undefined);
    this.#pending.clear();
    this.#undo = [];
    this.#statements = [];
    this.#scratchStatements = [];
    this.#deadLetters = [];
    this.#removeDeadLetters = [];
  }

  /** Drops everything not yet committed and every cached document. */
  reset(): void {
    this.#readFailure = undefined;
    this.#dropUpdating();
    this.#loads.clear();
    this.#pending.clear();
    this.#undo = [];
    this.#read.clear();
    this.#statements = [];
    this.#scratchStatements = [];
    this.#deadLetters = [];
    this.#removeDeadLetters = [];
  }

  /**
   * `update`, returning the promise of its load when the document was not at hand (`patch` hands it out): applied at
   * once when it is, otherwise to what is at hand once loaded, so an update queued behind the same load sees this
   * one's result.
   */
  #update(collection: string, id: string, change: (current: Document | undefined) => Document | undefined): Promise<void> | undefined {
    const current = this.#peek(collection, id);
    if (current !== UNKNOWN) {
      this.#applyUpdate(collection, id, current, change);
      return undefined;
    }
    const event = this.#discarded;
    const updated = this.#load(collection, id).then((loaded) => {
      if (event !== this.#discarded) return; // the event's changes were dropped meanwhile
      const now = this.#peek(collection, id);
      this.#applyUpdate(collection, id, now === UNKNOWN ? loaded : now, change);
    });
    this.#track(updated);
    return updated;
  }

  /**
   * Makes a pending update part of the current event: `settled` hands it to the runner, which fails the event with
   * its error. Nobody else may hold it (`update` and `mutate` return nothing), so it is marked handled here, lest a
   * failed read surface as an unhandled rejection before the runner asks.
   */
  #track(updating: Promise<void>): void {
    updating.catch(() => undefined);
    this.#updating.push(updating);
  }

  #stage(collection: string, id: string, change: Pending): void {
    this.#recordUndo(collection, id, this.#pending.get(collection, id));
    this.#pending.set(collection, id, change);
  }

  /**
   * Remembers, the first time the current event replaces a document, what the batch held for it before: the pending
   * change, or for a draft its number of changes before the event, so that `discardEvent` can take the event back.
   */
  #recordUndo(collection: string, id: string, before: Pending | undefined): void {
    if (this.#undo.some((record) => record.collection === collection && record.id === id)) return;
    const draftStart = before instanceof BatchDraft ? before.startOf(this.#event) : 0;
    this.#undo.push({ collection, id, previous: before ?? NONE, draftStart });
  }

  #applyUpdate(collection: string, id: string, current: Document | undefined, change: (current: Document | undefined) => Document | undefined): void {
    const next = change(current);
    if (next !== current) this.#stage(collection, id, next === undefined ? DELETED : this.#freeze(next));
  }

  /** The document as the batch or the cache has it (`undefined`: known missing), or `UNKNOWN` without a store read. */
  #peek(collection: string, id: string): Document | undefined | typeof UNKNOWN {
    const pending = this.#pending.get(collection, id);
    if (pending instanceof BatchDraft) return this.#publish(collection, id, pending);
    if (pending !== undefined) return pending === DELETED ? undefined : pending;
    const read = this.#read;
    const cached = read.get(collection, id);
    return cached !== undefined || read.has(collection, id) ? cached : UNKNOWN;
  }

  /**
   * Ends a draft because a handler reads its document or the batch commits it: from now on the document is treated
   * like any other (frozen when documents are), so what a reader keeps never changes under it; a later `mutate` copies
   * it again.
   */
  #publish(collection: string, id: string, draft: BatchDraft): Document {
    // Changed by the event in hand: once it is no longer pending, only the undo log can take that change back.
    if (draft.touchedBy === this.#event) this.#recordUndo(collection, id, draft);
    const document = this.#freeze(draft.document);
    this.#pending.set(collection, id, document);
    return document;
  }

  /**
   * Applies `mutate` to the batch's draft, or to a new draft of the document at hand (`loaded` when neither the batch
   * nor the cache has it); returns false, changing nothing, when the document must be read first.
   */
  #mutateAtHand(collection: string, id: string, create: () => Document, change: DraftChange, loaded: Document | undefined | typeof UNKNOWN): boolean {
    const pending = this.#pending.get(collection, id);
    if (pending instanceof BatchDraft) {
      this.#changeDraft(pending, change);
      return true;
    }
    const peeked = this.#peek(collection, id);
    const current = peeked === UNKNOWN ? loaded : peeked;
    if (current === UNKNOWN) return false;
    this.#startDraft(collection, id, current, create, change);
    return true;
  }

  /** Copies `current` (or creates the document) into a draft the batch owns, and applies the first change. */
  #startDraft(collection: string, id: string, current: Document | undefined, create: () => Document, change: DraftChange): void {
    // `create` may hand out a shared constant: the draft is a copy of whatever it returns.
    const before = copiedValues;
    const document = copyDocument(current ?? create());
    const draft = new BatchDraft(document, current, create, [], rebaseAfterCopying(copiedValues - before));
    this.#stage(collection, id, draft);
    draft.touch(this.#event);
    draft.apply(change);
  }

  /** Applies a change to a draft the batch already owns, in place. */
  #changeDraft(draft: BatchDraft, change: DraftChange): void {
    draft.touch(this.#event);
    draft.apply(change);
  }

  /**
   * Answers from the batch or the cache without a store read (one resolved promise); reads the store otherwise, and
   * answers with what is at hand once the read is in: updates and mutates of the document that wait for the same read
   * apply first (they were queued on it first), so a handler that calls `update` and then `get` sees its update.
   */
  #get(collection: string, id: string): Promise<Document | undefined> {
    const current = this.#peek(collection, id);
    if (current !== UNKNOWN) return Promise.resolve(current);
    return this.#load(collection, id).then((loaded) => {
      const now = this.#peek(collection, id);
      return now === UNKNOWN ? loaded : now;
    });
  }

  /** Reads a committed document into the cache; concurrent reads of one document share one store read. */
  #load(collection: string, id: string): Promise<Document | undefined> {
    const inFlight = this.#loads.get(collection, id);
    if (inFlight !== undefined) return inFlight;
    const load: Promise<Document | undefined> = this.#readIntoCache(collection, id).finally(() => {
      if (this.#loads.get(collection, id) === load) this.#loads.delete(collection, id);
    });
    this.#loads.set(collection, id, load);
    return load;
  }

  async #readIntoCache(collection: string, id: string): Promise<Document | undefined> {
    const since = this.#discarded;
    let stored: Document | undefined;
    try {
      stored = await this.#store.readDocument(this.#namespace, collection, id);
    } catch (error) {
      this.#readFailure ??= { error };
      throw error;
    }
    const document = this.#freeze(stored);
    // A reset meanwhile means the cache may no longer trust this read.
    if (since === this.#discarded) this.#read.set(collection, id, document);
    return document;
  }
}
