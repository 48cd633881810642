import { comparePositions, formatPosition, StoreClosedError, type Position } from '@clusterconf/domain';
import { assertExpectedCheckpoint } from '../checkpoint-fence.js';
import { InvalidDocumentError } from '../invalid-document-error.js';
import { assertNamespace, assertProjectionIdentity } from '../namespace.js';
import {
  listLimit,
  type BatchCommit,
  type DeadLetter,
  type Document,
  type Lease,
  type ListDocumentsOptions,
  type ReadModelStore,
  type StoredDocument,
} from '../read-model-store.js';

interface Namespace {
  /** collection -> id -> JSON text; text, so what is read back is a copy, as from a durable store. */
  readonly collections: Map<string, Map<string, string>>;
  checkpoint: Position | undefined;
  /** Keyed by the formatted position. */
  readonly deadLetters: Map<string, DeadLetter>;
}

const compareIds = (a: string, b: string): number => Buffer.compare(Buffer.from(a), Buffer.from(b));

/**
 * A read-model store in process memory. Batches are applied synchronously, so each is atomic; the store is
 * volatile (documents and checkpoints vanish together), which makes a restarted process rebuild from zero.
 * Each batch is fenced on its `expectedCheckpoint` like in the SQL stores, in the same synchronous step that applies it.
 * Leases are process-local: they keep two runners in one process from writing one namespace.
 */
export class MemoryReadModelStore implements ReadModelStore {
  readonly kind = 'memory';
  readonly guarantee = 'exactly-once-volatile' as const;
  readonly #namespaces = new Map<string, Namespace>();
  readonly #active = new Map<string, number>();
  readonly #leases = new Map<string, { owner: string; abort: AbortController }>();
  #closed = false;

  async loadCheckpoint(namespace: string): Promise<Position | undefined> {
    this.#assertOpen();
    return this.#namespaces.get(namespace)?.checkpoint;
  }

  async commitBatch(batch: BatchCommit): Promise<void> {
    this.#assertOpen();
    if (batch.statements.length > 0) {
      throw new TypeError(`The memory read-model store runs no SQL; ${batch.statements.length} statement(s) were queued for ${batch.namespace}`);
    }
    // Serialise everything before touching state, so a document that is not JSON leaves the store unchanged.
    const serialized = batch.changes.map((change) => {
      if (change.kind !== 'upsert') return undefined;
      try {
        return JSON.stringify(change.document);
      } catch (cause) {
        throw new InvalidDocumentError(batch.namespace, change.collection, change.id, { cause });
      }
    });
    const ns = this.#namespace(batch.namespace);
    // No await between this check and the writes below: nothing can commit in between.
    assertExpectedCheckpoint(batch.namespace, batch.expectedCheckpoint, ns.checkpoint);
    batch.changes.forEach((change, index) => {
      let collection = ns.collections.get(change.collection);
      if (change.kind === 'upsert') {
        if (collection === undefined) ns.collections.set(change.collection, (collection = new Map()));
        collection.set(change.id, serialized[index]!);
      } else {
        collection?.delete(change.id);
      }
    });
    for (const position of batch.removeDeadLetters) ns.deadLetters.delete(formatPosition(position));
    for (const deadLetter of batch.deadLetters) ns.deadLetters.set(formatPosition(deadLetter.event.position), deadLetter);
    if (batch.checkpoint !== undefined) ns.checkpoint = batch.checkpoint;
  }

  async readDocument<T extends Document = Document>(namespace: string, collection: string, id: string): Promise<T | undefined> {
    this.#assertOpen();
    const text = this.#namespaces.get(namespace)?.collections.get(collection)?.get(id);
    return text === undefined ? undefined : (JSON.parse(text) as T);
  }

  async listDocuments<T extends Document = Document>(
    namespace: string,
    collection: string,
    options: ListDocumentsOptions = {},
  ): Promise<StoredDocument<T>[]> {
    this.#assertOpen();
    const limit = listLimit(options);
    const documents = this.#namespaces.get(namespace)?.collections.get(collection);
    if (documents === undefined) return [];
    const afterId = options.afterId;
    const ids = [...documents.keys()].filter((id) => afterId === undefined || compareIds(id, afterId) > 0).sort(compareIds);
    const page = ids.slice(0, limit ?? ids.length);
    return page.map((id) => ({ id, document: JSON.parse(documents.get(id)!) as T }));
  }

  async listDeadLetters(namespace: string): Promise<DeadLetter[]> {
    this.#assertOpen();
    const deadLetters = [...(this.#namespaces.get(namespace)?.deadLetters.values() ?? [])];
    return deadLetters.sort((a, b) => comparePositions(a.event.position, b.event.position));
  }

  async activate(projectionName: string, version: number): Promise<void> {
    this.#assertOpen();
    assertProjectionIdentity(projectionName, version);
    this.#active.set(projectionName, version);
  }

  async activeVersion(projectionName: string): Promise<number | undefined> {
    this.#assertOpen();
    return this.#active.get(projectionName);
  }

  async dropNamespace(namespace: string): Promise<void> {
    this.#assertOpen();
    assertNamespace(namespace);
    this.#namespaces.delete(namespace);
  }

  async acquireLease(namespace: string, owner: string): Promise<Lease | undefined> {
    this.#assertOpen();
    assertNamespace(namespace);
    if (this.#leases.has(namespace)) return undefined;
    const abort = new AbortController();
    const held = { owner, abort };
    this.#leases.set(namespace, held);
    return ({
      namespace,
      owner,
      lost: abort.signal,
      release: () => {
        if (this.#leases.get(namespace) === held) this.#leases.delete(namespace);
        return Promise.resolve();
      },
    });
  }

  async close(): Promise<void> {
    this.#closed = true;
    for (const { abort } of this.#leases.values()) abort.abort(new StoreClosedError('The memory read-model store'));
    this.#leases.clear();
  }

  #namespace(namespace: string): Namespace {
    let ns = this.#namespaces.get(namespace);
    if (ns === undefined) {
      assertNamespace(namespace);
      ns = { collections: new Map(), checkpoint: undefined, deadLetters: new Map() };
      this.#namespaces.set(namespace, ns);
    }
    return ns;
  }

  #assertOpen(): void {
    if (this.#closed) throw new StoreClosedError('The memory read-model store');
  }
}
