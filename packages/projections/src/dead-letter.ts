import type { RecordedEvent } from '@clusterconf/domain';
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

/** The stored event a dead letter keeps, back in `RecordedEvent` form for decoding and replay. */
export const fromDeadLetterEvent = (event: DeadLetterEvent): RecordedEvent => ({
  streamId: event.streamId,
  streamRevision: event.streamRevision,
  position: event.position,
  type: event.type,
  data: event.data,
  metadata: event.metadata,
});
