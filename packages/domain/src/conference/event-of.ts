import type * as E from 'fp-ts/lib/Either.js';
import type { EventDecodeError } from '../kernel/errors.js';
import { createEventRegistry, type AnyEventDefinition, type EventOf, type EventRegistry } from '../kernel/event-registry.js';
import { conferenceEventDefinitions, conferenceEvents, type ConferenceEvent } from './events.js';

/**
 * Builds typed events of the given definitions from plain data, decoding it with each event's codec at the
 * definition's current schema version (plain data is the shape this code writes, so no upcaster runs on it).
 */
export const createEventOf = <const Defs extends readonly AnyEventDefinition[]>(
  definitions: Defs,
  registry: EventRegistry<EventOf<Defs>> = createEventRegistry(definitions),
) => {
  const versions = new Map<string, number>(definitions.map((definition) => [definition.type, definition.schemaVersion]));
  return <Type extends EventOf<Defs>['type']>(type: Type, data: unknown): E.Either<EventDecodeError, Extract<EventOf<Defs>, { type: Type }>> =>
    // An unknown type has no version; the registry refuses it whatever version is passed.
    registry.decodeData(type, versions.get(type) ?? 1, data, { streamId: `(built ${type})`, streamRevision: 0n }) as E.Either<
      EventDecodeError,
      Extract<EventOf<Defs>, { type: Type }>
    >;
};

const buildConferenceEvent = createEventOf(conferenceEventDefinitions, conferenceEvents);

/**
 * Builds a typed conference event from plain data by decoding it with the event's codec, so fixtures and examples get
 * branded, validated events without casts; the error names every bad path.
 */
export const conferenceEventOf = <Type extends ConferenceEvent['type']>(
  type: Type,
  data: unknown,
): E.Either<EventDecodeError, Extract<ConferenceEvent, { type: Type }>> =>
  buildConferenceEvent(type, data) as E.Either<EventDecodeError, Extract<ConferenceEvent, { type: Type }>>;
