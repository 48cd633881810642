/**
 * Projections: `defineProjection`, the self-healing `createProjectionRunner`, the `ReadModelStore` port and its
 * in-memory store, checkpoints, leases, blue/green rebuilds, dead letters, and the six built-in conference read models.
 *
 * @module \@clusterconf/projections
 */
export * from './checkpoint-fence.js';
export * from './conference/index.js';
export * from './errors.js';
export * from './invalid-document-error.js';
export { defaultRetryPolicy, RetriesExhaustedError, retryDelay, type Lifecycle, type RetryPolicy } from './lifecycle.js';
export * from './memory/index.js';
export * from './namespace.js';
export * from './projection.js';
export * from './projection-runner.js';
export * from './projection-status.js';
export * from './read-model-reader.js';
export * from './read-model-store.js';
export * from './runner-logger.js';
// The test kit is `@clusterconf/projections/testing`; projectEvents stays here too for the code that imports it from here.
export * from './testing/project-events.js';
