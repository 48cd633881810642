export * from './errors.js';
export * from './namespace.js';
export * from './read-model-store.js';
