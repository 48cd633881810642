import type { Query } from '@clusterconf/domain';

/**
 * The key under which the tag index keeps an event's (type, tag) pair, beside the tag alone: the two joined by a
 * control character, which neither a type nor a tag may hold, so no pair key equals a tag or another pair's key.
 * Every tagged event is indexed under each of its tags and each (its type, tag) pair, so an item naming types and
 * tags reads exactly the events of those types with its first tag, however many events of other types share the tag
 * (a ballot's close among its thousands of votes).
 */
export const typeTagKey = (type: string, tag: string): string => `${type}\u001f${tag}`;

/** The keys one event is indexed under: each tag, and each (type, tag) pair. */
export const indexKeysOf = (type: string, tags: readonly string[]): string[] => tags.flatMap((tag) => [tag, typeTagKey(type, tag)]);

/**
 * One index range a SQL store reads for a query: the events under `key` (a tag, or a (type, tag) pair) that also
 * carry every one of `otherTags`; or, for an item without tags, the log itself narrowed to `types`.
 */
export type QueryScan =
  | { readonly kind: 'key'; readonly key: string; readonly otherTags: readonly string[] }
  | { readonly kind: 'types'; readonly types: readonly string[] };

/**
 * The scans that together find a (checked) query's events, each in position order, for a store to merge: per item,
 * the range of (type, first tag) for each of its types, or of its first tag when it names no types, or the log by
 * type for an item without tags; `'all'` when an item matches every event, which makes the others redundant. An
 * item's events are found under its first tag because every one of them carries it; the other tags only narrow it.
 */
export const queryScans = (query: Query): readonly QueryScan[] | 'all' => {
  const scans = new Map<string, QueryScan>();
  const add = (scan: QueryScan) => scans.set(JSON.stringify(scan), scan);
  for (const item of query.items) {
    const [tag, ...otherTags] = item.tags ?? [];
    if (tag === undefined) {
      if (item.types === undefined) return 'all';
      add({ kind: 'types', types: item.types });
    } else if (item.types === undefined) {
      add({ kind: 'key', key: tag, otherTags });
    } else {
      for (const type of item.types) add({ kind: 'key', key: typeTagKey(type, tag), otherTags });
    }
  }
  return [...scans.values()];
};
