import { describe, expect, it } from 'vitest';
import { pagedAsyncIterable } from './paged-async-iterable.js';

const pages = (...list: (number[] | undefined)[]) => {
  let calls = 0;
  const fetch = () => list[calls++];
  return { fetch, calls: () => calls };
};

describe('pagedAsyncIterable', () => {
  it('yields every row of every page in order, skipping empty pages, and fetches nothing before iteration', async () => {
    const source = pages([1, 2], [], [3], undefined);
    let opened = 0;
    const iterable = pagedAsyncIterable(() => (opened++, source.fetch), (n) => n * 10);
    expect(opened).toBe(0);
    const items: number[] = [];
    for await (const item of iterable) items.push(item);
    expect(items).toEqual([10, 20, 30]);
    expect(opened).toBe(1);
    expect(source.calls()).toBe(4);
  });

  it('fetches the next page only when the consumer reaches it', async () => {
    const source = pages([1, 2], [3, 4], undefined);
    const iterator = pagedAsyncIterable(() => source.fetch, (n) => n)[Symbol.asyncIterator]();
    expect(await iterator.next()).toEqual({ done: false, value: 1 });
    expect(await iterator.next()).toEqual({ done: false, value: 2 });
    expect(source.calls()).toBe(1);
    expect(await iterator.next()).toEqual({ done: false, value: 3 });
    expect(source.calls()).toBe(2);
  });

  it('fails at the row that does not decode, after yielding the ones before it, and then ends', async () => {
    const iterator = pagedAsyncIterable(() => pages([1, 2, 3], undefined).fetch, (n) => {
      if (n === 2) throw new Error('row 2 is corrupt');
      return n;
    })[Symbol.asyncIterator]();
    expect(await iterator.next()).toEqual({ done: false, value: 1 });
    await expect(iterator.next()).rejects.toThrow('row 2 is corrupt');
    expect(await iterator.next()).toEqual({ done: true, value: undefined });
  });

  it('reports an error of open on the first next(), and stops after return()', async () => {
    const failing = pagedAsyncIterable<number, number>(() => {
      throw new RangeError('bad options');
    }, (n) => n);
    await expect(failing[Symbol.asyncIterator]().next()).rejects.toThrow(RangeError);
    const source = pages([1, 2], [3], undefined);
    const iterator = pagedAsyncIterable(() => source.fetch, (n) => n)[Symbol.asyncIterator]();
    await iterator.next();
    await iterator.return!();
    expect(await iterator.next()).toEqual({ done: true, value: undefined });
    expect(source.calls()).toBe(1);
  });
});
