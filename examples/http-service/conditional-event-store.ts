import { ClusterconfError, describeExpectedRevision, type EventStore, type ExpectedRevision } from '@clusterconf/domain';
import { admits, describeIfMatch, type IfMatch } from './entity-tags.js';

/**
 * A command sent with `If-Match` would have been appended at another revision than the one it names. Its code is no
 * store conflict, so the command handler does not decide again on the newer state: it gives up and rethrows.
 */
export class PreconditionFailedError extends ClusterconfError {
  readonly code = 'PRECONDITION_FAILED';
  constructor(readonly streamId: string, readonly expected: ExpectedRevision, readonly precondition: IfMatch) {
    super(`${describeIfMatch(precondition)}, but ${streamId} is at ${expected === 'no_stream' ? 'no revision: it does not exist' : describeExpectedRevision(expected)}; ` +
      'GET the resource again, decide again on what it shows, and send its ETag');
  }
}

/**
 * The event store seen by a command sent with `If-Match`: an append goes ahead only with an expected revision the
 * precondition admits, and the store's own optimistic check then makes it exact, so a write that lands between the
 * client's GET and this append fails the command instead of being overwritten by a decision on a state it never saw.
 */
export const conditionalEventStore = (store: EventStore, precondition: IfMatch): EventStore => ({
  appendToStream: (streamId, events, options) => {
    const expected = options?.expectedRevision ?? 'any';
    return admits(precondition, expected)
      ? store.appendToStream(streamId, events, options)
      : Promise.reject(new PreconditionFailedError(streamId, expected, precondition));
  },
  readStream: (streamId, options) => store.readStream(streamId, options),
  readAll: (options) => store.readAll(options),
  headPosition: () => store.headPosition(),
  progressAfter: (after) => store.progressAfter(after),
  subscribe: (options) => store.subscribe(options),
  // The store belongs to the service, which closes it; a command's view of it has nothing of its own to release.
  close: async () => undefined,
});
