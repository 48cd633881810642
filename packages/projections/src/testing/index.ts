/**
 * The projection test kit: `givenEvents(projection, events).thenDocument(collection, id, document)`, and
 * `projectEvents` to run a projection's handlers into a memory store.
 *
 * @module \@clusterconf/projections/testing
 */
export * from './project-events.js';
export { givenEvents, type ProjectionSpecification } from './projection-spec.js';
export { SpecificationFailed } from '@clusterconf/domain/testing';
