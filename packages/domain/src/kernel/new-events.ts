import { commandEventId } from './command-event-id.js';
import type { NewEvent } from './event.js';
import { newEventId } from './ids.js';

/** An event as `toNewEvents` takes it: its type, its data in JSON form, the data's schema version (default 1), its tags. */
export interface EventToAppend<Type extends string = string, Data = unknown> {
  readonly type: Type;
  readonly data: Data;
  readonly schemaVersion?: number;
  /** Left out or empty: the event has none. */
  readonly tags?: readonly string[];
}

/** Options of `toNewEvents`. */
export interface ToNewEventsOptions {
  /** The clock, read once: every event of the batch records the same `occurredAt`. */
  readonly now: () => Date;
  /**
   * The command the events answer. Their ids are derived from it and the stream (`commandEventId`), so building the
   * same command's events again, after a crash say, gives the same ids and the store appends them once. Default: a
   * fresh UUID v7, which makes only retries of the returned array idempotent.
   */
  readonly commandId?: string;
  /** Default: the command id. */
  readonly causationId?: string;
  /** Default: the causation id. */
  readonly correlationId?: string;
}

/** Turns `{ type, data, tags? }` into events `appendToStream` accepts, with every metadata field filled in. */
export const toNewEvents = <Type extends string, Data>(
  streamId: string,
  events: readonly EventToAppend<Type, Data>[],
  options: ToNewEventsOptions,
): NewEvent<Type, Data>[] => {
  const occurredAt = options.now();
  if (!(occurredAt instanceof Date) || Number.isNaN(occurredAt.getTime())) {
    throw new RangeError(`toNewEvents: now() returned ${String(occurredAt)}, not a valid Date; pass a clock such as () => new Date()`);
  }
  const commandId = options.commandId ?? newEventId();
  const causationId = options.causationId ?? commandId;
  const correlationId = options.correlationId ?? causationId;
  return events.map((event, index) => {
    const metadata = {
      eventId: commandEventId(streamId, commandId, index),
      occurredAt: occurredAt.toISOString(),
      correlationId,
      causationId,
      schemaVersion: event.schemaVersion ?? 1,
    };
    // No `tags` key on an untagged event: it stays the same object shape it always had.
    return event.tags === undefined || event.tags.length === 0
      ? { type: event.type, data: event.data, metadata }
      : { type: event.type, data: event.data, metadata, tags: event.tags };
  });
};
