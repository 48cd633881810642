export * from './event-store/index.js';
export * from './read-model/index.js';
