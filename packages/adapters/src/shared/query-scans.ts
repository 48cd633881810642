import type { Query } from '@clusterconf/domain';

/**
 * One index range a SQL store reads for a query item: the events carrying `tag` (the item's first tag, its handle),
 * narrowed to `types` (any when undefined) and to those that also carry every one of `otherTags`; or, for an item
 * without tags, the log itself narrowed to `types`.
 */
export type QueryScan =
  | { readonly kind: 'tag'; readonly tag: string; readonly otherTags: readonly string[]; readonly types: readonly string[] | undefined }
  | { readonly kind: 'types'; readonly types: readonly string[] };

/**
 * The scans that together find a (checked) query's events, each in position order, for a store to merge: one per
 * distinct item; `'all'` when an item matches every event, which makes the others redundant. An item's events are
 * looked up by its first tag because every one of them carries it: the range of that tag holds them all, and the
 * other tags and the types only narrow it.
 */
export const queryScans = (query: Query): readonly QueryScan[] | 'all' => {
  const scans = new Map<string, QueryScan>();
  for (const item of query.items) {
    const [tag, ...otherTags] = item.tags ?? [];
    if (tag === undefined && item.types === undefined) return 'all';
    const scan: QueryScan = tag === undefined ? { kind: 'types', types: item.types! } : { kind: 'tag', tag, otherTags, types: item.types };
    scans.set(JSON.stringify(scan), scan);
  }
  return [...scans.values()];
};
