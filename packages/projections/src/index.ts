export * from './errors.js';
export * from './memory/index.js';
export * from './namespace.js';
export * from './projection.js';
export * from './projection-runner.js';
export * from './projection-status.js';
export * from './read-model-store.js';
