import type * as E from 'fp-ts/lib/Either.js';
import type { EventDecodeError } from '../kernel/errors.js';
import { conferenceEvents, type ConferenceEvent } from './events.js';

/**
 * Builds a typed conference event from plain data by decoding it with the event's codec, so fixtures and examples get
 * branded, validated events without casts; the error names every bad path.
 */
export const conferenceEventOf = <Type extends ConferenceEvent['type']>(
  type: Type,
  data: unknown,
): E.Either<EventDecodeError, Extract<ConferenceEvent, { type: Type }>> =>
  conferenceEvents.decodeData(type, 1, data, { streamId: `(built ${type})`, streamRevision: 0n }) as E.Either<
    EventDecodeError,
    Extract<ConferenceEvent, { type: Type }>
  >;
