export * from './client/index.js';
export * from './event-store/index.js';
