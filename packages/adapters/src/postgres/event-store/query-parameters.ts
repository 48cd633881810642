import type { AppendCondition, Query } from '@clusterconf/domain';
import { queryScans } from '../../shared/query-scans.js';

/**
 * A (checked) query as `query_events` takes it: its scans (`queryScans`) as JSON, `[{ key, others }]` for a range of
 * the tag index and `[{ types }]` for the log by type; a query matching everything is one scan of the whole log.
 */
export const scansParameter = (query: Query): string => {
  const scans = queryScans(query);
  return JSON.stringify(scans === 'all' ? [{}] : scans.map((scan) => (scan.kind === 'key' ? { key: scan.key, others: scan.otherTags } : { types: scan.types })));
};

/** A (checked) condition as `append_events` takes it, or null for none: the query's scans and the position after which events conflict. */
export const conditionParameter = (condition: AppendCondition | undefined): string | null =>
  condition === undefined ? null : JSON.stringify({
    scans: JSON.parse(scansParameter(condition.failIfEventsMatch)) as unknown,
    ...(condition.after === undefined ? {} : { afterCommit: condition.after.commit.toString(), afterSeq: condition.after.prepare.toString() }),
  });
