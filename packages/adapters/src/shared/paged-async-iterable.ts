/**
 * Fetches the next page of rows, or `undefined` when there are no more. A page may be empty without ending the
 * iteration (a filtered scan that matched nothing yet); it is called again.
 */
export type FetchPage<Row> = () => readonly Row[] | undefined;

/**
 * An `AsyncIterable` over pages that a synchronous driver fetches on demand. Each row is decoded only when the consumer
 * reaches it, so a malformed row fails at that row and not earlier. `open` runs on the first `next()`, so argument
 * checks and not-found errors surface where an async generator's would: when iteration starts.
 * It exists because an async generator costs a suspended frame and a queued promise per item, which is a measurable
 * share of a read that otherwise only parses JSON.
 */
export const pagedAsyncIterable = <Row, Item>(open: () => FetchPage<Row>, decode: (row: Row) => Item): AsyncIterable<Item> => ({
  [Symbol.asyncIterator](): AsyncIterator<Item> {
    let fetchPage: FetchPage<Row> | undefined;
    let rows: readonly Row[] = [];
    let index = 0;
    let done = false;
    const finished: IteratorReturnResult<undefined> = { done: true, value: undefined };
    return {
      next(): Promise<IteratorResult<Item>> {
        try {
          while (!done && index >= rows.length) {
            fetchPage ??= open();
            const page = fetchPage();
            if (page === undefined) done = true;
            else {
              rows = page;
              index = 0;
            }
          }
          if (done) return Promise.resolve(finished);
          return Promise.resolve({ done: false, value: decode(rows[index++]!) });
        } catch (error) {
          done = true;
          rows = [];
          return Promise.reject(error);
        }
      },
      return(): Promise<IteratorResult<Item>> {
        done = true;
        rows = [];
        return Promise.resolve(finished);
      },
    };
  },
});
