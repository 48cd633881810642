import { describe, expect, it } from 'vitest';
import type { RecordedEvent } from '@clusterconf/domain';
import { pagedEvents, STOP } from './paged-events.js';

const event = (n: number): RecordedEvent => ({
  streamId: 's',
  streamRevision: BigInt(n),
  position: { commit: 1n, prepare: BigInt(n) },
  type: 'T',
  data: { n },
  metadata: { eventId: `e${n}`, occurredAt: 't', correlationId: 'c', causationId: 'c', schemaVersion: 1 },
  tags: [],
});

/** Pages of `size` numbers up to `total`, recording which pages were fetched. */
const pages = (total: number, size: number) => {
  const fetched: number[] = [];
  const page = async (start: number) => {
    fetched.push(start);
    return Array.from({ length: Math.max(0, Math.min(size, total - start)) }, (_, i) => start + i);
  };
  return { fetched, first: () => page(0), next: (rows: number[]) => (rows.length === size ? page(rows[rows.length - 1]! + 1) : undefined) };
};

const collect = async (iterable: AsyncIterable<RecordedEvent>) => {
  const out: number[] = [];
  for await (const e of iterable) out.push(Number(e.streamRevision));
  return out;
};

describe('pagedEvents', () => {
  it('yields every row across pages, skipping rows take() declines', async () => {
    const p = pages(10, 3);
    expect(await collect(pagedEvents({ ...p, take: (n) => (n % 2 === 0 ? event(n) : undefined) }))).toEqual([0, 2, 4, 6, 8]);
    expect(p.fetched).toEqual([0, 3, 6, 9]);
  });

  it('ends at STOP and fetches nothing before iteration starts', async () => {
    const p = pages(100, 10);
    const iterable = pagedEvents({ ...p, take: (n) => (n < 4 ? event(n) : STOP) });
    expect(p.fetched).toEqual([]);
    expect(await collect(iterable)).toEqual([0, 1, 2, 3]);
    // One page is read ahead while the first is consumed, never more.
    expect(p.fetched).toEqual([0, 10]);
  });

  it('rejects with the error of a row and then stays done', async () => {
    const p = pages(5, 2);
    const iterator = pagedEvents({
      ...p,
      take: (n) => {
        if (n === 3) throw new Error('row 3 is corrupt');
        return event(n);
      },
    })[Symbol.asyncIterator]();
    const seen: number[] = [];
    await expect(
      (async () => {
        for (;;) {
          const next = await iterator.next();
          if (next.done) return;
          seen.push(Number(next.value.streamRevision));
        }
      })(),
    ).rejects.toThrow('row 3 is corrupt');
    expect(seen).toEqual([0, 1, 2]);
    expect(await iterator.next()).toEqual({ value: undefined, done: true });
  });

  it('a consumer that breaks early leaves a failing read-ahead unhandled nowhere', async () => {
    let calls = 0;
    const iterable = pagedEvents<number>({
      first: async () => [0, 1],
      next: () => {
        calls++;
        return Promise.reject(new Error('connection lost'));
      },
      take: event,
    });
    for await (const e of iterable) if (e.streamRevision === 0n) break;
    expect(calls).toBe(1);
  });
});
