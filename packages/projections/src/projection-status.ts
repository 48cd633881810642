import type { HeldTransaction, Position } from '@clusterconf/domain';
import type { ProjectionState, StandbyReason } from './lifecycle.js';

export type { ProjectionState, StandbyReason } from './lifecycle.js';

/** A snapshot of one projection version, as `status()` reports it. */
export interface ProjectionStatus {
  readonly name: string;
  readonly version: number;
  readonly namespace: string;
  /**
   * `serving` versions are the ones readers use and `waitFor` waits for; `building` is a version built beside the
   * active one (a blue/green build, or a deploy of a newer version), switched to once it has caught up.
   */
  readonly role: 'serving' | 'building';
  /**
   * - `starting`: taking its lease, checking the active version, loading its checkpoint;
   * - `standby`: another runner holds its lease (`standbyReason: 'lease-held'`), or a newer version is active
   *   (`'superseded'`); it takes over when that changes;
   * - `catching-up`: reading history towards the head;
   * - `live`: caught up, following new events;
   * - `retrying`: a transient fault stopped it (see `error`); it resumes from its checkpoint at `nextAttemptAt`;
   * - `stopped`: `stop()` was called, or it was retired by a blue/green switch;
   * - `failed`: a poison event (or a batch its store refuses for what it holds) stopped it; see `error`.
   */
  readonly state: ProjectionState;
  readonly standbyReason?: StandbyReason;
  /** The failure (`failed`) or the last transient fault (`retrying`). */
  readonly error?: Error;
  /** While `retrying`: the attempt now due (1 for the first retry after a fault). */
  readonly attempt?: number;
  /** While `retrying`: when (ISO 8601) the next attempt starts. */
  readonly nextAttemptAt?: string;
  /** The last committed checkpoint; `undefined` before the first commit. */
  readonly position: Position | undefined;
  /** The log's last position; `undefined` when the log is empty or the event store cannot be reached. */
  readonly headPosition: Position | undefined;
  /** Events stored after the checkpoint, on every store; `undefined` while the event store cannot be reached. */
  readonly lag: number | undefined;
  /** Whether `lag` was counted (`exact`), extrapolated beyond a bound (`estimate`), or could not be had (`unknown`). */
  readonly lagIs: 'exact' | 'estimate' | 'unknown';
  /** PostgreSQL: the transaction that keeps committed events from being delivered, while one does. */
  readonly heldBy?: HeldTransaction;
  /** Events applied per second over the last ten seconds. */
  readonly eventsPerSecond: number;
  /** Dead letters this runner recorded for it (policy `record`). */
  readonly deadLettersRecorded: number;
  /** Events of types the registry does not know that it passed over, counted per type by this runner. */
  readonly unregisteredTypes: Readonly<Record<string, number>>;
}
