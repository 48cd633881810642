export { given, SpecificationFailed, type DeciderSpecification } from './decider-spec.js';
