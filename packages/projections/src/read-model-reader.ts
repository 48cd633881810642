import { namespaceOf } from './namespace.js';
import type { Document, ListDocumentsOptions, ReadModelStore, StoredDocument } from './read-model-store.js';

/** Reads projections by name through the active-version pointer, so a blue/green switch is seen whole. */
export interface ReadModelReader {
  /** The document in the active version of `projectionName`; `undefined` when missing or no version is active. */
  get<T extends Document = Document>(projectionName: string, collection: string, id: string): Promise<T | undefined>;
  /** Documents of a collection of the active version, in id order; empty when no version is active. */
  list<T extends Document = Document>(projectionName: string, collection: string, options?: ListDocumentsOptions): Promise<StoredDocument<T>[]>;
}

/**
 * Creates a reader over `store`. Each call resolves the active version first; a reader that needs several documents
 * from one version should call `store.activeVersion` once and read that namespace directly.
 */
export const createReadModelReader = (store: ReadModelStore): ReadModelReader => ({
  async get<T extends Document = Document>(projectionName: string, collection: string, id: string) {
    const version = await store.activeVersion(projectionName);
    return version === undefined ? undefined : store.readDocument<T>(namespaceOf(projectionName, version), collection, id);
  },
  async list<T extends Document = Document>(projectionName: string, collection: string, options?: ListDocumentsOptions) {
    const version = await store.activeVersion(projectionName);
    return version === undefined ? [] : store.listDocuments<T>(namespaceOf(projectionName, version), collection, options);
  },
});
