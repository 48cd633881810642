import type { AppendResult } from './event-store.js';
import { InvalidEventError } from './errors.js';
import type { Position } from './position.js';

/** Where a store already holds an event id. */
export interface StoredEventPlace {
  readonly eventId: string;
  readonly type: string;
  readonly streamId: string;
  readonly streamRevision: bigint;
  readonly position: Position;
}

/**
 * The idempotency rule every adapter applies to an append, given where each of its event ids is already stored
 * (`undefined`: not stored): none stored, a new append (`undefined`); all stored at consecutive revisions of this
 * stream, a retry, answered with the original result; anything else a clash, refused with `InvalidEventError`.
 */
export const replayedAppend = (streamId: string, stored: readonly (StoredEventPlace | undefined)[]): AppendResult | undefined => {
  if (stored.every((place) => place === undefined)) return undefined;
  const first = stored[0];
  const consecutive =
    first !== undefined &&
    stored.every((place, index) => place?.streamId === streamId && place.streamRevision === first.streamRevision + BigInt(index));
  if (!consecutive) {
    const clash = stored.find((place) => place !== undefined)!;
    throw new InvalidEventError(streamId, clash.type, `eventId ${clash.eventId} is already stored at stream "${clash.streamId}" ` +
      `revision ${clash.streamRevision}, and this append is not a retry of that one; give new events new ids`);
  }
  const last = stored[stored.length - 1]!;
  return { nextExpectedRevision: last.streamRevision, position: last.position };
};
