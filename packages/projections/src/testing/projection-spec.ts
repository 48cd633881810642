import { isDeepStrictEqual } from 'node:util';
import type { DomainEvent } from '@clusterconf/domain';
import { SpecificationFailed } from '@clusterconf/domain/testing';
import { MemoryReadModelStore } from '../memory/index.js';
import type { Projection } from '../projection.js';
import type { Document, ReadModelStore } from '../read-model-store.js';
import { documentDifferences, showValue } from './document-differences.js';
import { projectEvents, type GivenEvent } from './project-events.js';

/**
 * What the events of a `givenEvents` made of a projection's read model, with assertions on its documents. Every
 * assertion projects the events (once, on first use) and throws `SpecificationFailed` when it does not hold. There is
 * no `then` member, so a specification is never a thenable: `await givenEvents(…)` gives it back and runs nothing.
 */
export interface ProjectionSpecification<Event extends DomainEvent = DomainEvent> {
  /** Asserts the collection holds exactly these documents, by id: none missing, none more, each deep-equal. */
  thenDocuments(collection: string, expected: Readonly<Record<string, Document>>): Promise<void>;
  /** Asserts the document exists and is deep-equal to `expected`. */
  thenDocument(collection: string, id: string, expected: Document): Promise<void>;
  /** Asserts the events left no document under `id`. */
  thenNoDocument(collection: string, id: string): Promise<void>;
  /**
   * The same events, then `events` in a batch of their own on the same store, as the runner resumes from its
   * checkpoint. Returns a new specification; this one is left as it was.
   */
  andEvents(events: readonly GivenEvent<Event>[]): ProjectionSpecification<Event>;
  /** The store the events were projected into, for assertions the ones above do not cover. */
  store(): Promise<ReadModelStore>;
}

/** Deep equality as the decider kit has it: key order does not matter; types, `undefined` members and lengths do. */
const deepEqual = (a: unknown, b: unknown): boolean => isDeepStrictEqual(a, b);

const indent = (lines: readonly string[]): string => lines.map((line) => `  ${line}`).join('\n');

const specification = <Event extends DomainEvent>(
  projection: Projection<Event>,
  batches: readonly (readonly GivenEvent<Event>[])[],
): ProjectionSpecification<Event> => {
  const { namespace } = projection;
  let projected: Promise<ReadModelStore> | undefined;
  /** Projects each batch in turn, as the runner commits them, the first time an assertion asks. */
  const store = (): Promise<ReadModelStore> =>
    (projected ??= (async () => {
      const into = new MemoryReadModelStore();
      for (const batch of batches) await projectEvents(projection, batch, into);
      return into;
    })());
  const where = (collection: string, id: string) => `${collection}/${id} of ${namespace}`;
  const idsIn = async (collection: string): Promise<string> => {
    const ids = (await (await store()).listDocuments(namespace, collection)).map((stored) => JSON.stringify(stored.id));
    return ids.length === 0 ? `the collection "${collection}" is empty` : `the collection "${collection}" holds ${ids.join(', ')}`;
  };

  return {
    async thenDocuments(collection, expected) {
      const stored = await (await store()).listDocuments(namespace, collection);
      const actual = new Map(stored.map(({ id, document }) => [id, document]));
      const problems: string[] = [];
      for (const [id, document] of Object.entries(expected)) {
        const written = actual.get(id);
        if (written === undefined) problems.push(`${JSON.stringify(id)}: missing, expected ${showValue(document)}`);
        else if (!deepEqual(written, document)) problems.push(...documentDifferences(document, written).map((line) => `${JSON.stringify(id)} ${line}`));
      }
      for (const [id, document] of actual) {
        if (!Object.hasOwn(expected, id)) problems.push(`${JSON.stringify(id)}: not expected, got ${showValue(document)}`);
      }
      if (problems.length > 0) {
        throw new SpecificationFailed(`Expected the collection "${collection}" of ${namespace} to hold exactly the expected documents, but:\n${indent(problems)}`);
      }
    },

    async thenDocument(collection, id, expected) {
      const written = await (await store()).readDocument(namespace, collection, id);
      if (written === undefined) {
        throw new SpecificationFailed(`Expected the document ${where(collection, id)} to be ${showValue(expected)}\nbut the events wrote none (${await idsIn(collection)})`);
      }
      if (!deepEqual(written, expected)) {
        throw new SpecificationFailed(`Expected the document ${where(collection, id)} to be ${showValue(expected)}\nbut it differs:\n${indent(documentDifferences(expected, written))}`);
      }
    },

    async thenNoDocument(collection, id) {
      const written = await (await store()).readDocument(namespace, collection, id);
      if (written !== undefined) throw new SpecificationFailed(`Expected no document ${where(collection, id)}\nbut the events wrote ${showValue(written)}`);
    },

    andEvents(events) {
      return specification(projection, [...batches, events]);
    },

    store,
  };
};

/**
 * Given-events-then-documents for any projection, with no test framework dependency:
 * `await givenEvents(projection, events).thenDocument(collection, id, document)`, `.thenDocuments(collection, byId)` or
 * `.thenNoDocument(collection, id)`. The events are applied by the projection's own handlers through the runner's unit
 * of work (`projectEvents`) into a fresh memory read-model store, committed as one batch at positions 1..n; a handler
 * that throws rejects the assertion with the runner's `ProjectionFailedError`.
 */
export const givenEvents = <Event extends DomainEvent>(projection: Projection<Event>, events: readonly GivenEvent<NoInfer<Event>>[]): ProjectionSpecification<Event> =>
  specification(projection, [events]);
