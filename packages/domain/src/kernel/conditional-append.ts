import type { AppendCondition } from './dcb-event-store.js';
import type { NewEvent } from './event.js';
import { assertValidStreamId, DEFAULT_MAX_EVENT_BYTES, serializeEvents, type SerializedEvent } from './event-contract.js';
import { assertAppendCondition } from './query.js';

/** A conditional append checked against the contract: its stream, its condition (if any) and its events as text. */
export interface PreparedConditionalAppend {
  readonly streamId: string;
  readonly condition: AppendCondition | undefined;
  readonly events: SerializedEvent[];
}

/**
 * Every check `DcbEventStore.append` needs before a store touches its storage: the stream id, the condition
 * (`assertAppendCondition`: a valid query and position), then the events (`serializeEvents`). Every adapter's
 * `append` starts with it.
 */
export const prepareConditionalAppend = (
  streamId: string,
  events: readonly NewEvent[],
  condition: AppendCondition | undefined,
  maxEventBytes: number = DEFAULT_MAX_EVENT_BYTES,
): PreparedConditionalAppend => {
  assertValidStreamId(streamId);
  const checked = condition === undefined ? undefined : assertAppendCondition(streamId, condition);
  return { streamId, condition: checked, events: serializeEvents(streamId, events, maxEventBytes) };
};
