import { newEventId, type NewEvent } from '@clusterconf/domain';

/**
 * A well-formed new event of `type` with `data`: a fresh UUID v7 as `eventId` (or the one given, for retries and
 * clashes), and the same fixed `occurredAt`, correlation and causation every time, so only what a test varies varies.
 */
export const newEvent = (type: string, data: unknown, eventId: string = newEventId()): NewEvent => ({
  type,
  data,
  metadata: { eventId, occurredAt: '2020-11-10T09:00:00.000Z', correlationId: eventId, causationId: eventId, schemaVersion: 1 },
});

/** `newEvent` with tags, for the cases that query by them: `newTaggedEvent('VoteCast', ['ballot:b'], { ... })`. */
export const newTaggedEvent = (type: string, tags: readonly string[], data: unknown = {}, eventId: string = newEventId()): NewEvent => ({
  ...newEvent(type, data, eventId),
  tags,
});
