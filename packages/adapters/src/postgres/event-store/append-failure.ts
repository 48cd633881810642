import { InvalidEventError, type SerializedEvent } from '@clusterconf/domain';

/** What `append_events` raised, as node-postgres reports it. */
interface DatabaseErrorFields {
  readonly code?: string;
  readonly constraint?: string;
  readonly detail?: string;
  readonly message?: string;
}

/** The unique key on event ids, named in the migration. */
export const EVENT_ID_KEY = 'events_event_id_key';

/**
 * True when an append met another transaction over its event ids: a unique violation on the event-id key, or a
 * deadlock. An append locks one stream row and inserts its events, so two appends can only wait on each other in a
 * cycle through event ids they share (each waiting for the other's uncommitted row of one id); no stream lock alone
 * can close a cycle. A retry then finds the other append committed or rolled back.
 */
export const isEventIdCollision = (error: unknown): boolean => {
  const { code, constraint } = (error ?? {}) as DatabaseErrorFields;
  return code === '40P01' || (code === '23505' && constraint === EVENT_ID_KEY);
};

/**
 * The error for an append whose event ids still collided after its retries, when the stored ids did not explain it
 * as a retry or a clash with a stored event: the batch's own ids, or a concurrent append that kept sharing ids with
 * it. Names the id PostgreSQL reported, when it did, so the caller can find the event.
 */
export const eventIdCollisionError = (streamId: string, serialized: readonly SerializedEvent[], error: unknown): InvalidEventError => {
  const { code, detail, message } = (error ?? {}) as DatabaseErrorFields;
  const reported = /\(event_id\)=\(([0-9a-f-]{36})\)/i.exec(detail ?? '')?.[1]?.toLowerCase();
  const event = serialized.find((e) => e.eventId.toLowerCase() === reported) ?? serialized[0];
  const what = code === '40P01' ? 'deadlocked with a concurrent append over shared eventIds' : `collided on eventId ${reported ?? '(not reported)'}`;
  return new InvalidEventError(
    streamId,
    event?.type ?? '(none)',
    `the append ${what} after its retries (PostgreSQL: ${message ?? code}); eventIds compare case-insensitively, so give ` +
      `every event its own id, and retry an append only with the same events in the same order`,
    { cause: error },
  );
};
