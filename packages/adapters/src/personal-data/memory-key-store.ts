import type { ForgetOutcome, KeyImportSummary, KeyRecord, KeyStore, SubjectId, SubjectKey, SubjectKeyState } from '@clusterconf/domain';
import { planKeyImport, StoreClosedError, toKeyRecord } from '@clusterconf/domain';

const copyOf = (state: SubjectKeyState): SubjectKeyState => (state.state === 'active' ? { ...state, key: Buffer.from(state.key) } : state);

/**
 * Subjects' keys in process memory, with the semantics of the `KeyStore` port: for tests and short-lived tools. Its
 * keys end with the process, and with them every sealed value written under them: a durable log needs a durable
 * key store (`SqliteKeyStore`, `PostgresKeyStore`).
 */
export class MemoryKeyStore implements KeyStore {
  readonly #entries = new Map<SubjectId, SubjectKeyState>();
  #closed = false;

  async loadKeys(subjects: readonly SubjectId[]): Promise<ReadonlyMap<SubjectId, SubjectKeyState>> {
    this.#assertOpen();
    const found = new Map<SubjectId, SubjectKeyState>();
    for (const subject of subjects) {
      const entry = this.#entries.get(subject);
      if (entry !== undefined) found.set(subject, copyOf(entry));
    }
    return found;
  }

  async createKeys(candidates: ReadonlyMap<SubjectId, SubjectKey>, createdAt: string): Promise<ReadonlyMap<SubjectId, SubjectKeyState>> {
    this.#assertOpen();
    const stored = new Map<SubjectId, SubjectKeyState>();
    for (const [subject, key] of candidates) {
      if (!this.#entries.has(subject)) this.#entries.set(subject, { state: 'active', key: Buffer.from(key), createdAt });
      stored.set(subject, copyOf(this.#entries.get(subject)!));
    }
    return stored;
  }

  async forget(subject: SubjectId, at: string): Promise<ForgetOutcome> {
    this.#assertOpen();
    const entry = this.#entries.get(subject);
    if (entry?.state === 'forgotten') return { forgottenAt: entry.forgottenAt, keyDeleted: false, alreadyForgotten: true };
    if (entry !== undefined) entry.key.fill(0);
    this.#entries.set(subject, { state: 'forgotten', forgottenAt: at });
    return { forgottenAt: at, keyDeleted: entry !== undefined, alreadyForgotten: false };
  }

  async *exportKeys(): AsyncIterable<KeyRecord> {
    this.#assertOpen();
    const subjects = [...this.#entries.keys()].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
    for (const subject of subjects) {
      const entry = this.#entries.get(subject);
      if (entry !== undefined) yield toKeyRecord(subject, entry);
    }
  }

  async importKeys(records: readonly KeyRecord[]): Promise<KeyImportSummary> {
    this.#assertOpen();
    const plan = planKeyImport(this.#entries, records);
    for (const { subject, state } of plan.inserts) this.#entries.set(subject, copyOf(state));
    for (const { subject, forgottenAt } of plan.forgets) await this.forget(subject, forgottenAt);
    return plan.summary;
  }

  async close(): Promise<void> {
    this.#closed = true;
  }

  #assertOpen(): void {
    if (this.#closed) throw new StoreClosedError('The memory key store');
  }
}
