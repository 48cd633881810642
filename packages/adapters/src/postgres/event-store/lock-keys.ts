import type { AppendCondition, SerializedEvent } from '@clusterconf/domain';

/**
 * The advisory locks of one append, as the append function takes them (see the migration that creates it): 64-bit
 * keys in ascending order, each shared or exclusive. Every append takes them before anything else, in that one order,
 * and holds them to its commit.
 *
 * Keys. Every event written takes a SHARED lock on the key of each lock target it can be found by: the store's global
 * key, its type, each of its tags, and each (type, tag) pair. A condition takes, per query item, an EXCLUSIVE lock on
 * one target that every event matching the item must also lock: the (type, first tag) pair for each of its types, or
 * its first tag when it names no types, or each of its types when it names no tags, or the global key for an item
 * that matches every event. So a writer whose events match a condition being checked, and that condition, always
 * meet on a key; two writers that only write (shared and shared) never wait for each other; and two conditions whose
 * items differ in type or first tag never either.
 *
 * Why that makes conditions sound on PostgreSQL. Take an append A whose condition some event E of another append B
 * matches, both in flight. They meet on a key, exclusive for A and shared for B, taken before either writes a row (so
 * before either has a transaction id). If A gets it first, B waits until A has committed: B's rows then get a later
 * transaction id, so a later position, and A's condition was about the log before them; if B's own condition
 * matches A's events, B's check (a statement run after its locks, so with a snapshot taken after A committed) sees
 * them and fails. If B gets it first, A waits for B to commit, and A's check, a later statement, sees E and fails.
 * Either way they never both succeed on a stale read. A reader's position is only a sound `after` when nothing can
 * later appear before it, which is why `read` returns only rows below the ordering bound (see `readPostgresQuery`).
 *
 * Deadlocks. Every append takes all its locks in one pass in ascending key order, a key it needs both ways only
 * exclusively, before the stream row lock and before any insert: a waiter only ever waits for a key above every key
 * it holds, so no cycle of waits can form among appends.
 *
 * Costs. An append without a condition and without tags takes two shared locks (global, type); a tagged event two
 * more per tag. An append needing more than `MAX_LOCK_KEYS` keys (a large tagged batch, an import) takes the global
 * key exclusively instead, which conflicts with every other append: such appends run alone, correct and bounded in
 * the lock table. Keys are 64-bit hashes of the target named within the store's schema: a collision only makes two
 * unrelated appends wait for each other, never lets a conflict through.
 */
export interface LockKeys {
  readonly keys: readonly bigint[];
  readonly exclusive: readonly boolean[];
}

/** The most lock keys one append takes one by one; past it, the global key alone, exclusively. */
export const MAX_LOCK_KEYS = 64;

/** Separates the parts of a target's name: a control character, which no type or tag may hold. */
const SEPARATOR = '\u001f';

/**
 * A 64-bit key from two 32-bit FNV-1a hashes of `text` with different offsets (Math.imul keeps them in 32-bit integer
 * arithmetic, far cheaper than BigInt multiplication), as a signed bigint like PostgreSQL's.
 */
const hash64 = (text: string): bigint => {
  let high = 0x811c9dc5;
  let low = 0x01000193 ^ text.length;
  for (let index = 0; index < text.length; index++) {
    const unit = text.charCodeAt(index);
    high = Math.imul(high ^ unit, 0x01000193);
    low = Math.imul(low ^ unit, 0x5bd1e995);
    low ^= low >>> 15;
  }
  return BigInt.asIntN(64, (BigInt(high >>> 0) << 32n) | BigInt(low >>> 0));
};

/** Computes the lock keys of one store's appends; keys of names seen before come from a bounded cache. */
export class LockKeyring {
  readonly #namespace: string;
  readonly #cache = new Map<string, bigint>();
  readonly #global: bigint;

  constructor(schema: string) {
    this.#namespace = `clusterconf-dcb${SEPARATOR}${schema}${SEPARATOR}`;
    this.#global = this.#key('global');
  }

  /** The locks of an append of `events` (shared) under `condition` (exclusive), sorted, each key once. */
  locksOf(events: readonly SerializedEvent[], condition: AppendCondition | undefined): LockKeys {
    const modes = new Map<bigint, boolean>();
    const share = (key: bigint) => {
      if (!modes.has(key)) modes.set(key, false);
    };
    share(this.#global);
    for (const event of events) {
      share(this.#key(`type${SEPARATOR}${event.type}`));
      for (const tag of event.tags) {
        share(this.#key(`tag${SEPARATOR}${tag}`));
        share(this.#key(`pair${SEPARATOR}${event.type}${SEPARATOR}${tag}`));
      }
    }
    for (const item of condition?.failIfEventsMatch.items ?? []) {
      const handle = item.tags?.[0];
      if (item.types !== undefined) {
        for (const type of item.types) {
          modes.set(this.#key(handle === undefined ? `type${SEPARATOR}${type}` : `pair${SEPARATOR}${type}${SEPARATOR}${handle}`), true);
        }
      } else {
        modes.set(handle === undefined ? this.#global : this.#key(`tag${SEPARATOR}${handle}`), true);
      }
    }
    if (modes.size > MAX_LOCK_KEYS) return { keys: [this.#global], exclusive: [true] };
    const keys = [...modes.keys()].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
    return { keys, exclusive: keys.map((key) => modes.get(key)!) };
  }

  #key(target: string): bigint {
    let key = this.#cache.get(target);
    if (key === undefined) {
      key = hash64(this.#namespace + target);
      if (this.#cache.size >= 10_000) this.#cache.clear();
      this.#cache.set(target, key);
    }
    return key;
  }
}
