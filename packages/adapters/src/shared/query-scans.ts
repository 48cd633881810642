import type { Query } from '@clusterconf/domain';

/**
 * The separator of a tag index key: a control character, which neither a tag nor a type may hold, so a key names one
 * (tag, type) pair and every key of a tag starts with `tag + KEY_SEPARATOR`. Stores compare keys byte for byte
 * (SQLite's BINARY collation; PostgreSQL's "C"), so the keys of one tag are one range of the index.
 */
export const KEY_SEPARATOR = '\u001f';

/**
 * The tag index key of an event of `type` carrying `tag`. An event is indexed once per tag, under (tag, its type):
 * an item naming types reads exactly the events of those types with its first tag (a ballot's close, not its
 * thousands of votes), and an item naming only tags reads the few keys of its first tag, one per type stored with it.
 */
export const tagKey = (tag: string, type: string): string => `${tag}${KEY_SEPARATOR}${type}`;

/** The keys one event is indexed under: one per tag. */
export const indexKeysOf = (type: string, tags: readonly string[]): string[] => tags.map((tag) => tagKey(tag, type));

/**
 * One part of a query a SQL store reads, each in position order:
 * - `key`: the events under one index key (a first tag with one of the item's types), narrowed to those also indexed
 *   under each of `otherKeys` (the item's other tags with the same type);
 * - `tag`: an item naming only tags: the events under every key of its first tag (the store finds them in the index,
 *   in the snapshot it reads in), each narrowed to the other tags with that key's type;
 * - `types`: an item without tags: the log itself, narrowed to its types.
 */
export type QueryScan =
  | { readonly kind: 'key'; readonly key: string; readonly otherKeys: readonly string[] }
  | { readonly kind: 'tag'; readonly tag: string; readonly otherTags: readonly string[] }
  | { readonly kind: 'types'; readonly types: readonly string[] };

/**
 * The scans that together find a (checked) query's events, for a store to merge by position: one per type of an item
 * with types and tags, one per item with only tags, one per item with only types; `'all'` when an item matches every
 * event, which makes the others redundant. An item's events are found under its first tag because every one of them
 * carries it; the other tags only narrow it.
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
      add({ kind: 'tag', tag, otherTags });
    } else {
      for (const type of item.types) add({ kind: 'key', key: tagKey(tag, type), otherKeys: otherTags.map((other) => tagKey(other, type)) });
    }
  }
  return [...scans.values()];
};
