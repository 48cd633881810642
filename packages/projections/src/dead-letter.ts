import { NO_TAGS, type RecordedEvent, type UnreadableEvent } from '@clusterconf/domain';
import type { DeadLetter, DeadLetterEvent } from './read-model-store.js';

const errorCode = (cause: unknown): string => {
  if (cause instanceof Error) {
    const code = (cause as { code?: unknown }).code;
    return typeof code === 'string' ? code : cause.name;
  }
  return 'NON_ERROR_THROWN';
};

/** The dead letter recorded for an event a projection could not apply. */
export const toDeadLetter = (namespace: string, event: RecordedEvent, cause: unknown, recordedAt: Date): DeadLetter => ({
  namespace,
  event: {
    streamId: event.streamId,
    streamRevision: event.streamRevision,
    position: event.position,
    type: event.type,
    data: event.data,
    metadata: event.metadata,
  },
  errorCode: errorCode(cause),
  errorMessage: cause instanceof Error ? cause.message : String(cause),
  recordedAt: recordedAt.toISOString(),
});

/** The dead letter recorded for a row the event store could not read: where it is and its type, no payload. */
export const toUnreadableDeadLetter = (namespace: string, event: UnreadableEvent, recordedAt: Date): DeadLetter => ({
  namespace,
  event: { streamId: event.streamId, streamRevision: event.streamRevision, position: event.position, type: event.type, data: null, metadata: null },
  errorCode: errorCode(event.error),
  errorMessage: event.error.message,
  recordedAt: recordedAt.toISOString(),
});

/**
 * The stored event a dead letter keeps, back in `RecordedEvent` form for decoding and replay; `undefined` for an
 * unreadable row's dead letter, which keeps no payload (replay reads the row again). A dead letter keeps the payload
 * and metadata but not the event's tags (the read-model stores have no column for them), so the replayed event has none.
 */
export const fromDeadLetterEvent = (event: DeadLetterEvent): RecordedEvent | undefined =>
  event.metadata === null ? undefined : ({
  streamId: event.streamId,
  streamRevision: event.streamRevision,
  position: event.position,
  type: event.type,
  data: event.data,
  metadata: event.metadata,
  tags: NO_TAGS,
}) satisfies RecordedEvent;
