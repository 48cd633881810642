import type { EventFilter } from './event-store.js';

/** True when an event of this stream and type passes `filter`, as `EventFilter` defines it (absent fields match all). */
export const matchesFilter = (filter: EventFilter | undefined, streamId: string, type: string): boolean =>
  (filter?.eventTypes === undefined || filter.eventTypes.includes(type) ||
    (filter.orTypesNotIn !== undefined && !filter.orTypesNotIn.includes(type))) &&
  (filter?.streamPrefixes === undefined || filter.streamPrefixes.some((prefix) => streamId.startsWith(prefix)));
