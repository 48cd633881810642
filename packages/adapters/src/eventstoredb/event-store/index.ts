export * from './eventstoredb-event-store.js';
export * from './eventstoredb-subscription.js';
export * from './map-client-error.js';
export * from './append-position-unknown-error.js';
export { appendSizeOf, DEFAULT_MAX_APPEND_BYTES } from './append-size.js';
export { dcbNotSupported } from './dcb-not-supported.js';
