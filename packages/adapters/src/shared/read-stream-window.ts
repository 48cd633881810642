import type { ReadStreamOptions } from '@clusterconf/domain';

/** The revisions a `readStream` call covers, as a loop: start at `from`, step by `step` while `includes`. */
export interface StreamWindow {
  readonly from: bigint;
  readonly step: 1n | -1n;
  readonly includes: (revision: bigint) => boolean;
}

/** Resolves `readStream` options against a stream whose last revision is `last`; every adapter shares it. */
export const readStreamWindow = (last: bigint, options: ReadStreamOptions): StreamWindow => {
  const backwards = options.direction === 'backwards';
  const requested = options.fromRevision ?? (backwards ? 'end' : 'start');
  const from = requested === 'start' ? 0n : requested === 'end' ? last : requested;
  if (from < 0n) throw new RangeError(`readStream fromRevision ${from} is negative; revisions start at 0`);
  const maxCount = options.maxCount ?? Number.POSITIVE_INFINITY;
  if (maxCount < 0 || Number.isNaN(maxCount)) throw new RangeError(`readStream maxCount ${maxCount} must be zero or more`);
  const bound = maxCount === Number.POSITIVE_INFINITY ? undefined : BigInt(Math.floor(maxCount));
  return backwards
    ? backwardsWindow(from > last ? last : from, bound)
    : { from, step: 1n, includes: (r) => r <= last && (bound === undefined || r - from < bound) };
};

const backwardsWindow = (start: bigint, bound: bigint | undefined): StreamWindow => ({
  from: start,
  step: -1n,
  includes: (r) => r >= 0n && (bound === undefined || start - r < bound),
});
