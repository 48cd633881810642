import type { DomainEvent, Position } from '@clusterconf/domain';
import type { Lane } from './lane.js';
import type { Lifecycle } from './lifecycle.js';
import type { Projection } from './projection.js';
import type { RateMeter } from './rate-meter.js';
import type { Lease } from './read-model-store.js';
import type { UnitOfWork } from './unit-of-work.js';

/**
 * One projection version inside a runner. Its `lifecycle` is written by the runner alone (`Runner.#transition`);
 * the progress fields (`committed`, `reached`, the unit of work) by the lane that holds it, or by the runner while
 * no lane does.
 */
export interface Entry<Event extends DomainEvent> {
  readonly projection: Projection<Event>;
  /**
   * `serving`: what readers see (or will, once a first version is activated); `building`: a new version built beside
   * the active one, switched to when it has caught up: by `startBlueGreen`, or by a runner started with it (a deploy).
   */
  role: 'serving' | 'building';
  lifecycle: Lifecycle;
  /** The last checkpoint committed to the read-model store. */
  committed: Position | undefined;
  /**
   * How far the open batch reaches: events applied or filtered out after `committed`. While the entry runs in a lane,
   * the lane keeps its progress for all entries and brings this up to date before a commit.
   */
  reached: Position | undefined;
  readonly unitOfWork: UnitOfWork;
  lease: Lease | undefined;
  lane: Lane<Event> | undefined;
  /** Events applied (or dead-lettered) by this runner, for the rate. */
  applied: number;
  deadLettersRecorded: number;
  /** Events of types the registry does not know that the projection passed over, by type. */
  readonly unregisteredTypes: Map<string, number>;
  readonly rate: RateMeter;
  caughtUpOnce: boolean;
  /** Caught up once and, for a first version, activated: from then on `waitFor` may count its checkpoint. */
  ready: boolean;
  /** `Date.now()` of the last commit, to bound how stale a checkpoint-only commit may get. */
  lastCommitAt: number;
  /**
   * Counts the times the entry was reset (rebuilt, taken over, its lease lost, restarted after a fault): a lane being
   * started for it, or a first catch-up being completed, that began under an older number no longer applies to it.
   */
  generation: number;
}
