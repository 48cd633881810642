/**
 * How many events `progressAfter` counts one by one before it estimates the rest. A status call must stay cheap
 * however far behind a consumer is: SQLite counts on the caller's thread, and EventStoreDB can only count events by
 * reading them. Ten thousand index entries (or events) take milliseconds; a lag beyond that needs no exact figure.
 */
export const EXACT_COUNT_LIMIT = 10_000;

/**
 * The events after a checkpoint when only the first `counted` of them were counted. Those filled `countedSpan` units
 * of the store's position space (sequence numbers with their holes, or bytes of the log), and `remainingSpan` more
 * units lie between the last counted event and the last stored one. The rest is taken at the density of the counted
 * part; it is at least one event, since the count stopped before the last stored one. A span that is not positive
 * (positions that do not grow with the log) leaves the density unknown, and only that one event is added.
 */
export const extrapolatedCount = (counted: number, countedSpan: bigint, remainingSpan: bigint): number => {
  if (countedSpan <= 0n || remainingSpan <= 0n) return counted + 1;
  const density = counted / Number(countedSpan);
  return counted + Math.max(1, Math.round(density * Number(remainingSpan)));
};
