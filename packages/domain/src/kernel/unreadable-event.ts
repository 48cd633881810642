import type { CorruptEventError } from './errors.js';
import type { Position } from './position.js';

/** A stored row a store could not turn into an event: where it is and its (readable) type, and why. */
export interface UnreadableEvent {
  readonly streamId: string;
  readonly streamRevision: bigint;
  readonly position: Position;
  readonly type: string;
  readonly error: CorruptEventError;
}
