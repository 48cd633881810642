export * from './kernel/index.js';
export * from './conference/index.js';
