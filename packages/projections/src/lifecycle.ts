/**
 * The lifecycle of one projection version inside a runner: one discriminated union and one pure transition function.
 * The runner is the only writer of an entry's lifecycle (`Runner.#transition`); lanes report what happened as
 * `LifecycleEvent`s. Side effects (timers, leases, lanes, logs) follow from the state entered, never from here.
 */

/** Why a projection version is on standby. */
export type StandbyReason =
  /** Another runner holds the namespace's lease; this one takes over when it is free. */
  | 'lease-held'
  /** A newer version is active (a rolling deploy moved on); this runner was told to stand by rather than refuse. */
  | 'superseded';

export type Lifecycle =
  /** Taking the lease, checking the active version and loading the checkpoint; `retries` faults in a row so far. */
  | { readonly state: 'starting'; readonly retries: number }
  | { readonly state: 'standby'; readonly reason: StandbyReason }
  /** Reading history towards the head. */
  | { readonly state: 'catching-up'; readonly retries: number }
  /** Caught up, following new events. */
  | { readonly state: 'live' }
  /** A transient fault stopped it; it starts again from its committed checkpoint at `nextAttemptAt`. */
  | { readonly state: 'retrying'; readonly attempt: number; readonly error: Error; readonly nextAttemptAt: number }
  /** A poison event (or a batch the store refuses for its content) stopped it; only a fix and a restart help. */
  | { readonly state: 'failed'; readonly error: Error }
  /** `stop()` was called, or a blue/green switch retired it. */
  | { readonly state: 'stopped' };

/** The name of a lifecycle state, as `status()` reports it. */
export type ProjectionState = Lifecycle['state'];

export type LifecycleEvent =
  /** A lane took it (leased, checkpoint loaded). */
  | { readonly type: 'started' }
  /** A commit succeeded: the faults in a row are over. */
  | { readonly type: 'progressed' }
  | { readonly type: 'caughtUp' }
  | { readonly type: 'leaseHeld' }
  | { readonly type: 'leaseLost' }
  | { readonly type: 'superseded' }
  /** A transient fault (connection lost, store unavailable, timeout, checkpoint conflict). */
  | { readonly type: 'fault'; readonly error: Error; readonly now: number; readonly random: number }
  /** Its retry is due, or a standby may try to take over. */
  | { readonly type: 'retry' }
  /** A poison event, an exhausted retry budget or a version it must not serve. */
  | { readonly type: 'poison'; readonly error: Error }
  /** Rebuild: start over from nothing. */
  | { readonly type: 'reset' }
  | { readonly type: 'stop' };

/** How a runner retries a projection after a transient fault: capped exponential backoff with full jitter. */
export interface RetryPolicy {
  /** The first delay's upper bound. Default 250 ms. */
  readonly initialDelayMs: number;
  /** No delay exceeds this. Default 30 000 ms. */
  readonly maxDelayMs: number;
  /** Faults in a row after which the projection fails. Default `Infinity`: a transient fault never ends it. */
  readonly maxAttempts: number;
}

export const defaultRetryPolicy: RetryPolicy = { initialDelayMs: 250, maxDelayMs: 30_000, maxAttempts: Number.POSITIVE_INFINITY };

/** The delay before attempt `attempt` (1-based): uniform in [0, min(max, initial·2^(attempt-1))] ("full jitter"). */
export const retryDelay = (attempt: number, policy: RetryPolicy, random: number): number => {
  const ceiling = Math.min(policy.maxDelayMs, policy.initialDelayMs * 2 ** Math.min(attempt - 1, 52));
  return Math.floor(random * ceiling);
};

/** Thrown into `failed` when `maxAttempts` faults came in a row. */
export class RetriesExhaustedError extends Error {
  readonly code = 'PROJECTION_RETRIES_EXHAUSTED';
  constructor(readonly attempts: number, cause: Error) {
    super(`gave up after ${attempts} attempts in a row (retry.maxAttempts); the last fault: ${cause.message}. Fix the store and restart`, {
      cause,
    });
    this.name = 'RetriesExhaustedError';
  }
}

/** Whether the version reads the log now. */
export const isRunning = (lifecycle: Lifecycle): boolean => lifecycle.state === 'catching-up' || lifecycle.state === 'live';

const retriesOf = (lifecycle: Lifecycle): number =>
  lifecycle.state === 'starting' || lifecycle.state === 'catching-up' ? lifecycle.retries : lifecycle.state === 'retrying' ? lifecycle.attempt : 0;

/**
 * The next lifecycle. Events that do not apply in a state leave it unchanged (a late report of a lane the version
 * already left, say), so callers need not guard; `failed` and `stopped` are left only by `reset` (a rebuild).
 */
export const transition = (current: Lifecycle, event: LifecycleEvent, policy: RetryPolicy): Lifecycle => {
  if (current.state === 'stopped' || current.state === 'failed') {
    return event.type === 'reset' && current.state === 'failed' ? { state: 'starting', retries: 0 } : current;
  }
  switch (event.type) {
    case 'started':
      if (current.state === 'starting') return { state: 'catching-up', retries: current.retries };
      return current;
    case 'progressed':
      return current.state === 'catching-up' && current.retries > 0 ? { state: 'catching-up', retries: 0 } : current;
    case 'caughtUp':
      return current.state === 'catching-up' ? { state: 'live' } : current;
    case 'leaseHeld':
    case 'leaseLost':
      return current.state === 'standby' && current.reason === 'lease-held' ? current : { state: 'standby', reason: 'lease-held' };
    case 'superseded':
      return current.state === 'standby' && current.reason === 'superseded' ? current : { state: 'standby', reason: 'superseded' };
    case 'fault': {
      const attempt = retriesOf(current) + 1;
      if (attempt > policy.maxAttempts) return { state: 'failed', error: new RetriesExhaustedError(attempt - 1, event.error) };
      return { state: 'retrying', attempt, error: event.error, nextAttemptAt: event.now + retryDelay(attempt, policy, event.random) };
    }
    case 'retry':
      if (current.state === 'retrying') return { state: 'starting', retries: current.attempt };
      if (current.state === 'standby') return { state: 'starting', retries: 0 };
      return current;
    case 'poison':
      return { state: 'failed', error: event.error };
    case 'reset':
      return { state: 'starting', retries: 0 };
    case 'stop':
      return { state: 'stopped' };
  }
};
