export * from './eventstoredb-event-store.js';
export * from './eventstoredb-subscription.js';
export * from './map-client-error.js';
