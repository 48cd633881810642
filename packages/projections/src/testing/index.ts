export * from './project-events.js';
export { givenEvents, type ProjectionSpecification } from './projection-spec.js';
export { SpecificationFailed } from '@clusterconf/domain/testing';
