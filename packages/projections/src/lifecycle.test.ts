import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { defaultRetryPolicy, RetriesExhaustedError, retryDelay, transition, type Lifecycle, type LifecycleEvent } from './lifecycle.js';

const fault = (now: number, random: number): LifecycleEvent => ({ type: 'fault', error: new Error('connection lost'), now, random });

describe('the projection lifecycle', () => {
  it('goes starting → catching-up → live, and a fault from anywhere running to retrying, then back to starting', () => {
    const policy = defaultRetryPolicy;
    let state: Lifecycle = { state: 'starting', retries: 0 };
    state = transition(state, { type: 'started' }, policy);
    expect(state).toEqual({ state: 'catching-up', retries: 0 });
    state = transition(state, { type: 'caughtUp' }, policy);
    expect(state).toEqual({ state: 'live' });
    state = transition(state, fault(1000, 0.5), policy);
    expect(state).toMatchObject({ state: 'retrying', attempt: 1, nextAttemptAt: 1000 + 125 });
    state = transition(state, { type: 'retry' }, policy);
    expect(state).toEqual({ state: 'starting', retries: 1 });
    state = transition(state, fault(2000, 0.5), policy);
    expect(state).toMatchObject({ state: 'retrying', attempt: 2, nextAttemptAt: 2000 + 250 });
  });

  it('counts faults in a row until a commit or a catch-up succeeds', () => {
    const policy = defaultRetryPolicy;
    let state: Lifecycle = { state: 'starting', retries: 3 };
    state = transition(state, { type: 'started' }, policy);
    expect(state).toEqual({ state: 'catching-up', retries: 3 });
    state = transition(state, { type: 'progressed' }, policy);
    expect(state).toEqual({ state: 'catching-up', retries: 0 });
    expect(transition(state, fault(0, 0), policy)).toMatchObject({ attempt: 1 });
  });

  it('fails after maxAttempts faults in a row, with the last fault as the cause', () => {
    const policy = { ...defaultRetryPolicy, maxAttempts: 2 };
    let state: Lifecycle = { state: 'live' };
    state = transition(transition(state, fault(0, 0), policy), { type: 'retry' }, policy);
    state = transition(transition(state, fault(0, 0), policy), { type: 'retry' }, policy);
    state = transition(state, fault(0, 0), policy);
    expect(state.state).toBe('failed');
    const error = (state as Extract<Lifecycle, { state: 'failed' }>).error;
    expect(error).toBeInstanceOf(RetriesExhaustedError);
    expect(error.message).toMatch(/2 attempts in a row.*connection lost/);
  });

  it('keeps failed and stopped, except that a rebuild (reset) starts a failed version over', () => {
    const policy = defaultRetryPolicy;
    const failed: Lifecycle = { state: 'failed', error: new Error('poison') };
    for (const event of [{ type: 'started' }, { type: 'caughtUp' }, fault(0, 0), { type: 'retry' }, { type: 'leaseLost' }] as LifecycleEvent[]) {
      expect(transition(failed, event, policy)).toBe(failed);
      expect(transition({ state: 'stopped' }, event, policy)).toEqual({ state: 'stopped' });
    }
    expect(transition(failed, { type: 'reset' }, policy)).toEqual({ state: 'starting', retries: 0 });
  });

  it('stands by when the lease is held or lost, or a newer version is active, and retries from standby', () => {
    const policy = defaultRetryPolicy;
    expect(transition({ state: 'live' }, { type: 'leaseLost' }, policy)).toEqual({ state: 'standby', reason: 'lease-held' });
    expect(transition({ state: 'live' }, { type: 'superseded' }, policy)).toEqual({ state: 'standby', reason: 'superseded' });
    const standby: Lifecycle = { state: 'standby', reason: 'lease-held' };
    expect(transition(standby, { type: 'leaseHeld' }, policy)).toBe(standby);
    expect(transition(standby, { type: 'retry' }, policy)).toEqual({ state: 'starting', retries: 0 });
  });

  it('draws every delay from [0, min(max, initial·2^(attempt-1))] (full jitter)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 10_000 }),
        fc.integer({ min: 0, max: 5_000 }),
        fc.integer({ min: 0, max: 100_000 }),
        fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }),
        (attempt, initialDelayMs, extra, random) => {
          const policy = { initialDelayMs, maxDelayMs: initialDelayMs + extra, maxAttempts: Infinity };
          const delay = retryDelay(attempt, policy, random);
          const ceiling = initialDelayMs === 0 ? 0 : Math.min(policy.maxDelayMs, initialDelayMs * 2 ** (attempt - 1));
          expect(Number.isInteger(delay)).toBe(true);
          expect(delay).toBeGreaterThanOrEqual(0);
          expect(delay).toBeLessThanOrEqual(ceiling);
        },
      ),
    );
    expect(retryDelay(1, defaultRetryPolicy, 0.999999)).toBe(249);
    expect(retryDelay(40, defaultRetryPolicy, 0.999999)).toBe(29_999);
  });
});
