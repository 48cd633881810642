import type { Position } from '@clusterconf/domain';

/**
 * Where a projection version stands in this runner:
 * - `standby`: another runner holds its lease; this one takes over when that one dies;
 * - `catching-up`: reading history towards the head;
 * - `live`: caught up once, now following new events;
 * - `stopped`: `stop()` was called, or it was retired by a blue/green switch;
 * - `failed`: a poison event or a store error stopped it; see `error`.
 */
export type ProjectionState = 'standby' | 'catching-up' | 'live' | 'stopped' | 'failed';

/** A snapshot of one projection version, as `status()` reports it. */
export interface ProjectionStatus {
  readonly name: string;
  readonly version: number;
  readonly namespace: string;
  /** `serving` versions are the ones readers use and `waitFor` waits for; `building` is a blue/green build. */
  readonly role: 'serving' | 'building';
  readonly state: ProjectionState;
  /** The last committed checkpoint; `undefined` before the first commit. */
  readonly position: Position | undefined;
  readonly headPosition: Position | undefined;
  /**
   * How far the checkpoint is behind the head, in log positions: events for the memory, SQLite and PostgreSQL
   * event stores (their positions are sequence numbers), bytes of the log for EventStoreDB.
   */
  readonly lag: number;
  /** Events applied per second over the last ten seconds. */
  readonly eventsPerSecond: number;
  /** Dead letters this runner recorded for it (policy `record`). */
  readonly deadLettersRecorded: number;
  readonly error?: Error;
}
