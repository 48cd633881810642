export * from './event-store/index.js';
