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

/** An event of the append being checked: its id and type. */
export interface AppendedEventIdentity {
  readonly eventId: string;
  readonly type: string;
}

/**
 * The idempotency rule every adapter applies to an append, given its events and where each of their ids is already
 * stored (`undefined`: not stored): none stored, a new append (`undefined`); all stored, with the same types, at
 * consecutive revisions of this stream, a retry, answered with the original result; anything else a clash, refused
 * with `InvalidEventError`. Types are compared so that an id source that repeats itself (a reused seed) is caught
 * rather than answered as a retry; payloads are not, as EventStoreDB does not compare them either.
 */
export const replayedAppend = (
  streamId: string,
  events: readonly AppendedEventIdentity[],
  stored: readonly (StoredEventPlace | undefined)[],
): AppendResult | undefined => {
  if (stored.every((place) => place === undefined)) return undefined;
  const first = stored[0];
  const inPlace = (place: StoredEventPlace | undefined, index: number): place is StoredEventPlace =>
    first !== undefined && place?.streamId === streamId && place.streamRevision === first.streamRevision + BigInt(index) &&
    place.type === events[index]?.type;
  if (!stored.every(inPlace)) {
    // Name a stored id that is out of place, or else (a mix of stored and new ids) the first stored one.
    const outOfPlace = stored.findIndex((place, index) => place !== undefined && !inPlace(place, index));
    const index = outOfPlace >= 0 ? outOfPlace : stored.findIndex((place) => place !== undefined);
    const clash = stored[index]!;
    const offered = events[index]?.type ?? clash.type;
    const sameType = offered === clash.type ? '' : ` as a "${clash.type}" event, while this append gives that id to a "${offered}" event,`;
    throw new InvalidEventError(streamId, offered, `eventId ${clash.eventId} is already stored${sameType} at stream "${clash.streamId}" ` +
      `revision ${clash.streamRevision}, and this append is not a retry of that one; give new events new ids ` +
      '(a writer that makes ids from a seed needs a seed of its own per run)');
  }
  const last = stored[stored.length - 1]!;
  return { nextExpectedRevision: last.streamRevision, position: last.position };
};
