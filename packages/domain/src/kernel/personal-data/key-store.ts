import type { SubjectKey } from './cipher.js';
import type { SubjectId } from './subject-id.js';

/** A subject's entry in a key store: its key, or the record that it was forgotten (the key is gone). */
export type SubjectKeyState =
  | { readonly state: 'active'; readonly key: SubjectKey; readonly createdAt: string }
  | { readonly state: 'forgotten'; readonly forgottenAt: string };

/** What `KeyStore.forget` did. */
export interface ForgetOutcome {
  /** When the subject was first forgotten: now, or the earlier forget's time. */
  readonly forgottenAt: string;
  /** Whether a key was deleted now (false when there was none, or it was forgotten before). */
  readonly keyDeleted: boolean;
  /** Whether the subject had been forgotten before. */
  readonly alreadyForgotten: boolean;
}

/** One subject as a key export carries it: its key (base64), or when it was forgotten. */
export type KeyRecord =
  | { readonly subject: SubjectId; readonly key: string; readonly createdAt: string }
  | { readonly subject: SubjectId; readonly forgottenAt: string };

/** What `KeyStore.importKeys` did, per subject of the import. */
export interface KeyImportSummary {
  /** Subjects the store did not know, now stored as in the import (keys and forgets). */
  readonly added: number;
  /** Subjects stored exactly so already. */
  readonly present: number;
  /** Subjects whose stored key the import says was forgotten: forgotten here too. */
  readonly forgotten: number;
  /** Keys of subjects forgotten here: not brought back. */
  readonly keptForgotten: number;
}

/**
 * Where subjects' keys live, apart from the events they encrypt: the port the personal-data layer and `forgetSubject`
 * use, with memory, SQLite and PostgreSQL implementations in `@clusterconf/adapters` (proven alike by
 * `describeKeyStoreContract` from `@clusterconf/adapters/testing`). A subject has at most one key in its life: once
 * forgotten it stays forgotten, and no key can be created or imported for it again.
 */
export interface KeyStore {
  /** The stored state of each subject that has one (a key, or a forget), in one round trip; others are absent. */
  loadKeys(subjects: readonly SubjectId[]): Promise<ReadonlyMap<SubjectId, SubjectKeyState>>;
  /**
   * Stores each candidate key whose subject has no entry yet, and returns every candidate subject's entry as stored.
   * Race-free: of concurrent creators of one subject's key (in any process), one key is stored and every creator gets
   * that one back; a forgotten subject comes back forgotten, and the caller refuses its data.
   */
  createKeys(candidates: ReadonlyMap<SubjectId, SubjectKey>, createdAt: string): Promise<ReadonlyMap<SubjectId, SubjectKeyState>>;
  /** Deletes the subject's key, if any, and records that it was forgotten at `at` (unless it was before); idempotent. */
  forget(subject: SubjectId, at: string): Promise<ForgetOutcome>;
  /** Every entry, keys and forgets, in subject order: what `clusterconf keys export` writes. */
  exportKeys(): AsyncIterable<KeyRecord>;
  /** Adds an export's entries, all or nothing; see `planKeyImport` for what each subject becomes. */
  importKeys(records: readonly KeyRecord[]): Promise<KeyImportSummary>;
  /** Releases the connection or file (not one the caller passed in). */
  close(): Promise<void>;
}
