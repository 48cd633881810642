/**
 * The pure kernel (envelopes, positions, the `EventStore` port, codecs and upcasters, deciders, the retrying command
 * handler, the event contract) and the conference model: its events, commands, deciders and `createConferenceService`.
 *
 * @module \@clusterconf/domain
 */
export * from './kernel/index.js';
export * from './conference/index.js';
