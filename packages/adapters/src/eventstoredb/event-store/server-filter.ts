import type { EventFilter } from '@clusterconf/domain';
import { matchesFilter } from '@clusterconf/domain';
import type { ClientFilter, ClientPosition, ClientRecordedEvent } from '../client/client-seam.js';
import { isSystemEvent } from './recorded-event.js';

/** A regular expression that matches nothing, in a syntax both .NET (the server) and JavaScript accept. */
const MATCH_NOTHING = '(?!)';

const escapeRegex = (text: string): string => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** How a port filter runs against EventStoreDB: one part on the server, the rest (if any) in the adapter. */
export interface SplitFilter {
  /** The server-side filter for subscribeToAll (the server filters on one field only: event type or stream name). */
  readonly server: ClientFilter;
  /** The whole filter, checked again in the adapter, with system events excluded. */
  readonly accepts: (event: ClientRecordedEvent) => boolean;
}

/**
 * Splits a port filter for a subscription. Event types go to the server as an exact-match regex (which also keeps
 * system events out); otherwise stream prefixes go to the server; with neither, the server excludes system events.
 * The client checks the full filter again, so a filter with both fields needs both, as the port says.
 */
export const splitFilter = (filter: EventFilter | undefined, checkpointReached: (position: ClientPosition) => void): SplitFilter => {
  const common = { checkpointInterval: 1, checkpointReached: (_subscription: unknown, position: ClientPosition) => checkpointReached(position) };
  const accepts = (event: ClientRecordedEvent) => !isSystemEvent(event) && matchesFilter(filter, event.streamId, event.type);
  if (filter?.eventTypes !== undefined) {
    const regex = filter.eventTypes.length === 0 ? MATCH_NOTHING : `^(?:${filter.eventTypes.map(escapeRegex).join('|')})$`;
    return { server: { filterOn: 'eventType', regex, ...common }, accepts };
  }
  if (filter?.streamPrefixes !== undefined) {
    const server: ClientFilter =
      filter.streamPrefixes.length === 0 ? { filterOn: 'streamName', regex: MATCH_NOTHING, ...common } : { filterOn: 'streamName', prefixes: [...filter.streamPrefixes], ...common };
    return { server, accepts };
  }
  return { server: { filterOn: 'eventType', regex: '^[^$].*', ...common }, accepts };
};
