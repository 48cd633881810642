/**
 * The decider test kit: `given(decider, history).when(command).then(events)`.
 *
 * @module \@clusterconf/domain/testing
 */
export { given, SpecificationFailed, type DeciderSpecification } from './decider-spec.js';
