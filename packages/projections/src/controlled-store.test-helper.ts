import type { Position } from '@clusterconf/domain';
import { MemoryReadModelStore } from './memory/index.js';
import { CHECKPOINT_CONFLICT_CODE, type BatchCommit, type Lease, type ReadModelStore } from './read-model-store.js';

/**
 * Test helper: a memory read-model store whose leases, commits and checkpoint loads a test steers, to drive the runner
 * through the races a real store only produces by chance (a lease lost mid-batch, a successor's commit, a slow load).
 */
export class ControlledReadModelStore implements ReadModelStore {
  readonly kind = 'controlled-memory';
  readonly guarantee = 'exactly-once-volatile' as const;
  readonly inner = new MemoryReadModelStore();
  /** Every batch that reached the store, in order. */
  readonly commits: BatchCommit[] = [];
  /** Namespaces whose next commit is refused with a checkpoint conflict (nothing of it is written). */
  readonly conflictOnce = new Set<string>();
  /** How many of the next commits fail as a dropped connection would (nothing of them is written). */
  failCommits = 0;
  /** How many of the next document reads fail as a dropped connection would. */
  failReads = 0;
  /** How many of the next lease acquisitions fail as an unreachable database would. */
  failLeases = 0;
  /** Set to hold every commit until the promise resolves; the commit then fails when its lease was lost meanwhile. */
  commitGate: Promise<void> | undefined;
  /** Namespaces whose leases are refused. */
  readonly refuseLeases = new Set<string>();
  readonly #leases = new Map<string, AbortController>();
  readonly #loadGates = new Map<string, Promise<void>>();

  /** Loses the namespace's lease as a dropped connection would. */
  loseLease(namespace: string): void {
    this.#leases.get(namespace)?.abort(new Error(`lease of ${namespace} lost`));
    this.#leases.delete(namespace);
  }

  /** Holds the namespace's checkpoint loads until the returned function is called. */
  holdLoads(namespace: string): () => void {
    let open!: () => void;
    this.#loadGates.set(namespace, new Promise<void>((resolve) => (open = resolve)));
    return () => {
      this.#loadGates.delete(namespace);
      open();
    };
  }

  async loadCheckpoint(namespace: string): Promise<Position | undefined> {
    await this.#loadGates.get(namespace);
    return this.inner.loadCheckpoint(namespace);
  }

  async commitBatch(batch: BatchCommit): Promise<void> {
    if (this.commitGate !== undefined) {
      await this.commitGate;
      if (!this.#leases.has(batch.namespace)) throw connectionLost();
    }
    if (this.failCommits > 0) {
      this.failCommits--;
      throw connectionLost();
    }
    if (this.conflictOnce.delete(batch.namespace)) {
      throw Object.assign(new Error(`checkpoint of ${batch.namespace} moved`), { code: CHECKPOINT_CONFLICT_CODE });
    }
    this.commits.push(batch);
    return this.inner.commitBatch(batch);
  }

  async acquireLease(namespace: string, owner: string): Promise<Lease | undefined> {
    if (this.failLeases > 0) {
      this.failLeases--;
      throw connectionLost();
    }
    if (this.refuseLeases.has(namespace) || this.#leases.has(namespace)) return undefined;
    const abort = new AbortController();
    this.#leases.set(namespace, abort);
    return {
      namespace,
      owner,
      lost: abort.signal,
      release: async () => {
        if (this.#leases.get(namespace) === abort) this.#leases.delete(namespace);
      },
    };
  }

  readDocument: ReadModelStore['readDocument'] = async (...args) => {
    if (this.failReads > 0) {
      this.failReads--;
      throw connectionLost();
    }
    return this.inner.readDocument(...args);
  };
  listDocuments: ReadModelStore['listDocuments'] = (...args) => this.inner.listDocuments(...args);
  listDeadLetters: ReadModelStore['listDeadLetters'] = (...args) => this.inner.listDeadLetters(...args);
  activate: ReadModelStore['activate'] = (...args) => this.inner.activate(...args);
  activeVersion: ReadModelStore['activeVersion'] = (...args) => this.inner.activeVersion(...args);
  dropNamespace: ReadModelStore['dropNamespace'] = (...args) => this.inner.dropNamespace(...args);
  close: ReadModelStore['close'] = () => this.inner.close();
}

const connectionLost = (): Error => Object.assign(new Error('Connection terminated unexpectedly'), { code: 'ECONNRESET' });
