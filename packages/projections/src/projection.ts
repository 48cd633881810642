import type { DomainEvent, EventRegistry, RecordedEvent } from '@clusterconf/domain';
import { InvalidProjectionError } from './errors.js';
import { namespaceOf } from './namespace.js';
import type { DocumentOperations } from './read-model-store.js';

/** Applies one decoded event to the read model through `operations`; must not touch anything else. */
export type ProjectionHandler<Event extends DomainEvent> = (
  event: RecordedEvent<Event['type'], Event['data']>,
  operations: DocumentOperations,
) => void | Promise<void>;

/** One optional handler per event type of the registry; the keys are the projection's event types. */
export type ProjectionHandlers<Event extends DomainEvent> = {
  readonly [Type in Event['type']]?: ProjectionHandler<Extract<Event, { readonly type: Type }>>;
};

/** A projection version: what it is called, which events it reads, and how it applies them. */
export interface Projection<Event extends DomainEvent = DomainEvent> {
  readonly name: string;
  readonly version: number;
  /** `<name>_v<version>`: where this version's documents, checkpoint and dead letters live. */
  readonly namespace: string;
  /** The handled event types, in the order the handlers were declared. */
  readonly eventTypes: readonly Event['type'][];
  readonly handlers: ProjectionHandlers<Event>;
}

/**
 * The projection's handler for `type`: its own declared handler only, so an event type named like an
 * `Object.prototype` member (`constructor`, `toString`) never reaches an inherited function.
 */
export const handlerFor = <Event extends DomainEvent>(projection: Projection<Event>, type: string): ProjectionHandler<DomainEvent> | undefined => {
  const declared = projection.handlers as object;
  const handler: unknown = Object.hasOwn(declared, type) ? (declared as Record<string, unknown>)[type] : undefined;
  return typeof handler === 'function' ? (handler as ProjectionHandler<DomainEvent>) : undefined;
};

/** What `defineProjection` takes. */
export interface ProjectionSpec<Event extends DomainEvent> {
  /** Lower-case letters, digits and `_`; it names SQL tables. */
  readonly name: string;
  /** A positive integer; bump it whenever handlers change what they write, and build it blue/green. */
  readonly version: number;
  readonly handlers: ProjectionHandlers<Event>;
}

/**
 * Declares a projection over the events of `registry`. Handler keys must be the registry's event types, and each
 * handler receives that type's decoded payload; an unknown key is a type error and, from untyped code, a
 * runtime `InvalidProjectionError`.
 */
export const defineProjection = <Event extends DomainEvent>(
  registry: EventRegistry<Event>,
  spec: ProjectionSpec<Event>,
): Projection<Event> => {
  const namespace = namespaceOf(spec.name, spec.version);
  const eventTypes = Object.keys(spec.handlers) as Event['type'][];
  if (eventTypes.length === 0) throw new InvalidProjectionError(spec.name, 'it has no handlers; add one per event type it reads');
  for (const type of eventTypes) {
    if (!registry.has(type)) {
      throw new InvalidProjectionError(spec.name, `it handles "${type}", which the registry does not know (known: ${registry.types.join(', ')})`);
    }
    if (typeof spec.handlers[type] !== 'function') {
      throw new InvalidProjectionError(spec.name, `the handler for "${type}" is not a function`);
    }
  }
  return { name: spec.name, version: spec.version, namespace, eventTypes, handlers: spec.handlers };
};
