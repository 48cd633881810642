import type { LogProgress, Position } from '@clusterconf/domain';
import { comparePositions, isAfter } from '@clusterconf/domain';
import { extrapolatedCount } from '../../shared/estimated-count.js';
import type { ClientRecordedEvent } from '../client/client-seam.js';
import { isSystemEvent } from './recorded-event.js';

/**
 * The user events in `(after, head]`, counted from a forwards read of `$all` that starts at `after` (inclusive, as
 * EventStoreDB reads) and asked for `requested` events. EventStoreDB can only count events by reading them, so the read
 * is bounded: when it ends before the head, the rest is extrapolated over commit positions, which are byte offsets in
 * the log. The counted events' density per byte (system events in between included, as they take room too) times the
 * bytes from the last event read to the head gives the estimate.
 */
export const countEventsAfter = async (
  read: AsyncIterable<ClientRecordedEvent>,
  requested: number,
  after: Position | undefined,
  head: Position,
): Promise<Pick<LogProgress, 'eventsAfter' | 'eventsAfterIs'>> => {
  let seen = 0;
  let counted = 0;
  let reachedHead = false;
  let last: Position | undefined;
  // Read to the end of the call even past the head: a gRPC read left half-consumed is never finished.
  for await (const event of read) {
    seen++;
    if (event.position === undefined || !isAfter(event.position, after)) continue;
    const toHead = comparePositions(event.position, head);
    if (toHead >= 0) reachedHead = true;
    if (toHead > 0) continue;
    last = event.position;
    if (!isSystemEvent(event)) counted++;
  }
  if (reachedHead || seen < requested || last === undefined) return { eventsAfter: counted, eventsAfterIs: 'exact' };
  const start = after?.commit ?? 0n;
  return { eventsAfter: extrapolatedCount(counted, last.commit - start, head.commit - last.commit), eventsAfterIs: 'estimate' };
};
