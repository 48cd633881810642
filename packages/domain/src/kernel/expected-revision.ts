/**
 * The optimistic-concurrency precondition of an append, the four cases EventStoreDB has:
 * - `'any'`: no check;
 * - `'no_stream'`: the stream must not exist yet;
 * - `'stream_exists'`: the stream must have at least one event;
 * - a bigint: the revision of the stream's last event must be exactly this.
 */
export type ExpectedRevision = 'any' | 'no_stream' | 'stream_exists' | bigint;

/** What a stream's current revision is: `undefined` when the stream has no events. */
export type CurrentRevision = bigint | undefined;

/** True when a stream at `current` satisfies `expected`. Every adapter enforces exactly this. */
export const satisfiesExpectedRevision = (expected: ExpectedRevision, current: CurrentRevision): boolean => {
  switch (expected) {
    case 'any':
      return true;
    case 'no_stream':
      return current === undefined;
    case 'stream_exists':
      return current !== undefined;
    default:
      return current === expected;
  }
};

/** The text form of an expected revision in messages. */
export const describeExpectedRevision = (expected: ExpectedRevision): string =>
  typeof expected === 'bigint' ? `revision ${expected}` : expected;

/** The text form of a current revision in messages. */
export const describeCurrentRevision = (current: CurrentRevision): string =>
  current === undefined ? 'no stream' : `revision ${current}`;
