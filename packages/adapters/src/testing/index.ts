/**
 * The kit for writing an adapter: contract suites to run with Vitest (and fast-check, for the round-trip property).
 * See WRITING-AN-ADAPTER.md. The catch-up subscription an adapter builds on is `@clusterconf/adapters/catch-up`.
 *
 * @module \@clusterconf/adapters/testing
 */
export { describeEventStoreContract, type ContractOptions, type ContractStoreFactory, type ContractStoreHandle } from './event-store-contract.js';
export { appendEachEvent, describeEventRoundTripProperty, type CopyLog, type RoundTripOptions } from './event-round-trip-property.js';
export { describeReadModelStoreContract, type ReadModelStoreHarness, type SqlHarness } from './read-model-store-contract.js';
export { describeKeyStoreContract, type KeyStoreHarness } from './key-store-contract.js';
export { batchOf } from './batch-of.js';
export { newEvent, newTaggedEvent } from './new-event.js';
export { anyText, anyValue, holdsExactly, hostileLeaf, jsonLikeValue, LONE_SURROGATES, sameAsJson, Ticket } from './json-values.js';
