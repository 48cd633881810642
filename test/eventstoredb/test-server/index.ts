export * from './eventstoredb-test-server.js';
export * from './in-memory-log.js';
