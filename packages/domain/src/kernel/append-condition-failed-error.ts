import type { AppendCondition } from './dcb-event-store.js';
import { ClusterconfError } from './errors.js';
import { formatPosition, type Position } from './position.js';
import { describeQuery } from './query.js';

/**
 * A conditional append was refused because its condition did not hold: an event matching the condition's query was
 * stored after its `after` position, so the decision was made on events that are no longer all there is. Nothing was
 * written. Read the query again, decide again, and append with the position of the last event read (the DCB command
 * handler does this for you).
 */
export class AppendConditionFailedError extends ClusterconfError {
  readonly code = 'APPEND_CONDITION_FAILED';
  constructor(
    readonly streamId: string,
    readonly condition: AppendCondition,
    /** The first event, in log order, that matches the query after `condition.after`. */
    readonly conflictingPosition: Position,
  ) {
    super(
      `Append to stream "${streamId}" was refused: its condition failed, as the event at position ${formatPosition(conflictingPosition)} ` +
        `matches "${describeQuery(condition.failIfEventsMatch)}" and was stored after ` +
        `${condition.after === undefined ? 'the start of the log' : `position ${formatPosition(condition.after)}`}: read the query again, ` +
        'decide again, and append with the position of the last event read',
    );
  }
}
