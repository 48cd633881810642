import { describe, expect, it } from 'vitest';
import { HOLD_REPORTED_AFTER_MS, logProgressOf, type ProgressRow } from './log-progress.js';

/** A row with rows held back: ordered up to 100/7, committed up to 120/9, transaction 110 holding the bound. */
const held: ProgressRow = {
  bound: '110',
  head_commit: '100', head_seq: '7',
  last_commit: '120', last_seq: '9',
  counted: 2, counted_commit: '120', counted_seq: '9',
  holder_status: 'in progress',
  holder_pid: 4242, holder_database: 'postgres', holder_since: new Date('2026-12-03T08:00:00.000Z'),
  holder_age_ms: 60_000, holder_gid: null,
};
const checkpoint = { commit: 100n, prepare: 7n };

describe('logProgressOf', () => {
  it('names the holder of committed rows after the checkpoint, with what the server knows of it', () => {
    expect(logProgressOf(held, checkpoint)).toEqual({
      head: checkpoint,
      eventsAfter: 2,
      eventsAfterIs: 'exact',
      heldBy: { transactionId: '110', since: '2026-12-03T08:00:00.000Z', database: 'postgres', pid: 4242, preparedAs: undefined },
    });
    const prepared = { ...held, holder_pid: null, holder_gid: 'payment-17' };
    expect(logProgressOf(prepared, checkpoint).heldBy).toMatchObject({ pid: undefined, preparedAs: 'payment-17' });
  });

  it('gives the bare transaction id when the server keeps its backend from this role', () => {
    const hidden = { ...held, holder_pid: null, holder_database: null, holder_since: null, holder_age_ms: null };
    expect(logProgressOf(hidden, checkpoint).heldBy).toEqual({ transactionId: '110', since: undefined, database: undefined, pid: undefined, preparedAs: undefined });
  });

  it('names no holder that is a write in flight, that has ended, or that holds nothing after the checkpoint', () => {
    expect(logProgressOf({ ...held, holder_age_ms: HOLD_REPORTED_AFTER_MS - 1 }, checkpoint).heldBy).toBeUndefined();
    expect(logProgressOf({ ...held, holder_status: 'committed' }, checkpoint).heldBy).toBeUndefined();
    expect(logProgressOf(held, { commit: 120n, prepare: 9n }).heldBy).toBeUndefined();
  });

  it('beyond the count limit, extends the counted rows over sequence numbers, holes included', () => {
    // 10,000 rows after seq 0 up to seq 20,000 (half of the numbers are holes); the log goes on to seq 30,000.
    const long = { ...held, holder_status: null, counted: 10_000, counted_commit: '115', counted_seq: '20000', last_seq: '30000' };
    expect(logProgressOf(long, undefined)).toEqual({ head: checkpoint, eventsAfter: 15_000, eventsAfterIs: 'estimate' });
    // The limit reached exactly at the last row is still a count.
    expect(logProgressOf({ ...long, counted_commit: '120', counted_seq: '30000' }, undefined).eventsAfterIs).toBe('exact');
  });
});
