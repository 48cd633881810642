/**
 * A position in the global log. Every store reports the same shape so that checkpoints, comparisons and
 * serialisation are written once:
 * - SQLite and memory: `commit === prepare`, the row's sequence number;
 * - PostgreSQL: `commit` is the appending transaction's id, `prepare` the row's sequence number (see the adapter);
 * - EventStoreDB: the server's own commit and prepare positions.
 * Order is lexicographic on (commit, prepare).
 */
export interface Position {
  readonly commit: bigint;
  readonly prepare: bigint;
}

/** A position whose commit and prepare parts are the same number, as SQL sequence stores use. */
export const sequencePosition = (n: bigint): Position => ({ commit: n, prepare: n });

/** Orders two positions: negative when `a` comes first, zero when equal, positive when `b` comes first. */
export const comparePositions = (a: Position, b: Position): number =>
  a.commit < b.commit ? -1 : a.commit > b.commit ? 1 : a.prepare < b.prepare ? -1 : a.prepare > b.prepare ? 1 : 0;

/** True when `a` comes strictly after `b`; any position comes after `undefined` (the start of the log). */
export const isAfter = (a: Position, b: Position | undefined): boolean => b === undefined || comparePositions(a, b) > 0;

/** The text form used in checkpoints, JSON and the CLI: `42` or `1200/1100`. */
export const formatPosition = (p: Position): string =>
  p.commit === p.prepare ? p.commit.toString() : `${p.commit}/${p.prepare}`;

/** Parses `formatPosition`'s output; throws a `RangeError` naming the text when it is not a position. */
export const parsePosition = (text: string): Position => {
  const match = /^(\d+)(?:\/(\d+))?$/.exec(text.trim());
  if (!match) {
    throw new RangeError(`"${text}" is not a log position: expected a whole number such as 42, or commit/prepare such as 1200/1100`);
  }
  const commit = BigInt(match[1]!);
  return { commit, prepare: match[2] === undefined ? commit : BigInt(match[2]) };
};
