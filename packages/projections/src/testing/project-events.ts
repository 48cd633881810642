import { NO_TAGS, sequencePosition, type DomainEvent, type RecordedEvent } from '@clusterconf/domain';
import { ProjectionFailedError } from '../errors.js';
import { MemoryReadModelStore } from '../memory/index.js';
import { handlerFor, type Projection } from '../projection.js';
import type { ReadModelStore } from '../read-model-store.js';
import { UnitOfWork } from '../unit-of-work.js';

/** A decoded event to project; where it sits in its stream matters to some read models (vote streams). */
export type GivenEvent<Event extends DomainEvent> = Event & {
  readonly streamId?: string;
  readonly streamRevision?: bigint;
  readonly tags?: readonly string[];
};

/**
 * Test helper: applies already-decoded events to a projection through the same unit of work the runner uses and
 * commits them as one batch, at positions 1..n. Returns the store to read the documents from. A handler that throws
 * fails with the runner's `ProjectionFailedError`.
 */
export const projectEvents = async <Event extends DomainEvent>(
  projection: Projection<Event>,
  events: readonly GivenEvent<Event>[],
  store: ReadModelStore = new MemoryReadModelStore(),
): Promise<ReadModelStore> => {
  const unitOfWork = new UnitOfWork(store, projection.namespace);
  const start = await store.loadCheckpoint(projection.namespace);
  let position = start?.prepare ?? 0n;
  for (const event of events) {
    position++;
    const recorded: RecordedEvent = {
      type: event.type,
      data: event.data,
      streamId: event.streamId ?? 'given',
      streamRevision: event.streamRevision ?? 0n,
      position: sequencePosition(position),
      metadata: { eventId: `given-${position}`, occurredAt: '1970-01-01T00:00:00.000Z', correlationId: 'given', causationId: 'given', schemaVersion: 1 },
      tags: event.tags ?? NO_TAGS,
    };
    const handler = handlerFor(projection, event.type);
    if (handler === undefined) continue;
    try {
      await handler(recorded, unitOfWork.operations);
      await unitOfWork.settled();
      unitOfWork.keepEvent();
    } catch (cause) {
      throw new ProjectionFailedError(projection.name, projection.version, recorded.position, recorded.type, recorded.streamId, cause);
    }
  }
  await unitOfWork.commit(sequencePosition(position), start);
  return store;
};
