import type { EventFilter } from '@clusterconf/domain';
import { matchesFilter } from '@clusterconf/domain';
import type { ClientFilter, ClientPosition, ClientRecordedEvent } from '../client/client-seam.js';
import { isSystemEvent } from './recorded-event.js';

/**
 * The server runs a filter's regex as `new Regex(regex, RegexOptions.Compiled).Match(type)` (.NET), the in-process test
 * server as `new RegExp(regex).test(type)`. The regexes here use only constructs that mean the same in both, so the
 * test server answers as the real one: in particular no `$`, which in .NET also matches before a final newline and
 * would let a negative lookahead refuse a type such as "A\n" as if it were "A". The end of the type is `(?![\s\S])`.
 */
const END = '(?![\\s\\S])';

/** A regular expression that matches nothing. */
const MATCH_NOTHING = '(?!)';

const escapeRegex = (text: string): string => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** Exactly one of `types`. */
const oneOf = (types: readonly string[]): string => `(?:${types.map(escapeRegex).join('|')})${END}`;

/**
 * The server's half of a type filter: a type in `types`, or (with `notIn`) a type outside `notIn` that is not a system
 * event's. Both halves are anchored at the start, so the regex never matches inside a type.
 */
const typeRegex = (types: readonly string[], notIn: readonly string[] | undefined): string => {
  const alternatives = types.length === 0 ? [] : [`^${oneOf(types)}`];
  if (notIn !== undefined) alternatives.push(notIn.length === 0 ? '^(?!\\$)' : `^(?!\\$)(?!${oneOf(notIn)})`);
  return alternatives.length === 0 ? MATCH_NOTHING : alternatives.join('|');
};

/** How a port filter runs against EventStoreDB: one part on the server, the rest (if any) in the adapter. */
export interface SplitFilter {
  /** The server-side filter for subscribeToAll (the server filters on one field only: event type or stream name). */
  readonly server: ClientFilter;
  /** The whole filter, checked again in the adapter, with system events excluded. */
  readonly accepts: (event: ClientRecordedEvent) => boolean;
}

/**
 * Splits a port filter for a subscription. Event types (with `orTypesNotIn`, also "any type outside that list") go to
 * the server as a regex, which also keeps system events out; otherwise stream prefixes go to the server; with neither,
 * the server excludes system events.
 * The client checks the full filter again, so a filter with both fields needs both, as the port says.
 */
export const splitFilter = (filter: EventFilter | undefined, checkpointReached: (position: ClientPosition) => void): SplitFilter => {
  const common = { checkpointInterval: 1, checkpointReached: (_subscription: unknown, position: ClientPosition) => checkpointReached(position) };
  const accepts = (event: ClientRecordedEvent) => !isSystemEvent(event) && matchesFilter(filter, event.streamId, event.type);
  if (filter?.eventTypes !== undefined) {
    return { server: { filterOn: 'eventType', regex: typeRegex(filter.eventTypes, filter.orTypesNotIn), ...common }, accepts };
  }
  if (filter?.streamPrefixes !== undefined) {
    const server: ClientFilter =
      filter.streamPrefixes.length === 0 ? { filterOn: 'streamName', regex: MATCH_NOTHING, ...common } : { filterOn: 'streamName', prefixes: [...filter.streamPrefixes], ...common };
    return { server, accepts };
  }
  return { server: { filterOn: 'eventType', regex: '^[^$].*', ...common }, accepts };
};
