import type { AppendCondition, Query } from '@clusterconf/domain';
import { queryScans } from '../../shared/query-scans.js';

/**
 * A (checked) query as `matching_positions` takes it, its scans (`queryScans`) as arrays in parameter order: the
 * index keys to read, with each key's other keys flattened and counted per key; the first tags of tag-only items,
 * whose keys the function finds in the snapshot it reads in, with each item's other tags flattened and counted; the
 * types of the items without tags (read from the log, all in one read); and whether an item matches every event.
 */
export type ScanParameters = [
  keys: string[], keyOthers: string[], keyOtherCounts: number[],
  tags: string[], tagOthers: string[], tagOtherCounts: number[],
  types: string[], all: boolean,
];

/** No scans: the parameters of an append without a condition. */
export const NO_SCANS: ScanParameters = [[], [], [], [], [], [], [], false];

/** The scan parameters of `query`. */
export const scanParameters = (query: Query): ScanParameters => {
  const scans = queryScans(query);
  if (scans === 'all') return [[], [], [], [], [], [], [], true];
  const keys: string[] = [];
  const keyOthers: string[] = [];
  const keyOtherCounts: number[] = [];
  const tags: string[] = [];
  const tagOthers: string[] = [];
  const tagOtherCounts: number[] = [];
  const types = new Set<string>();
  for (const scan of scans) {
    if (scan.kind === 'types') {
      for (const type of scan.types) types.add(type);
    } else if (scan.kind === 'key') {
      keys.push(scan.key);
      keyOthers.push(...scan.otherKeys);
      keyOtherCounts.push(scan.otherKeys.length);
    } else {
      tags.push(scan.tag);
      tagOthers.push(...scan.otherTags);
      tagOtherCounts.push(scan.otherTags.length);
    }
  }
  return [keys, keyOthers, keyOtherCounts, tags, tagOthers, tagOtherCounts, [...types], false];
};

/** A (checked) condition as `append_events` takes it: whether to check, the scans, and the position after which events conflict. */
export const conditionParameters = (condition: AppendCondition | undefined): [check: boolean, ...ScanParameters, afterCommit: string, afterSeq: string] => {
  if (condition === undefined) return [false, ...NO_SCANS, '0', '0'];
  const after = condition.after ?? { commit: 0n, prepare: 0n };
  return [true, ...scanParameters(condition.failIfEventsMatch), after.commit.toString(), after.prepare.toString()];
};
