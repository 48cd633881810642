import * as t from 'io-ts';
import type { ProjectionStatus } from '@clusterconf/projections';

/** A projection that keeps the service from being ready, and the state it is in. */
export const NotLive = t.strict({ name: t.string, version: t.number, state: t.string }, 'NotLive');
export type NotLive = t.TypeOf<typeof NotLive>;

/** The answer of `/readyz` when ready. */
export const Ready = t.strict({ ready: t.literal(true), projections: t.array(t.string) }, 'Ready');
export type Ready = t.TypeOf<typeof Ready>;

/** Ready, or the projections that are not live yet. */
export type Readiness = { readonly ready: true; readonly live: readonly string[] } | { readonly ready: false; readonly notLive: readonly NotLive[] };

/**
 * Ready when every projection that readers are served from is `live`: caught up and following the log, so a GET sees
 * recent writes. A version being built beside a serving one (blue/green) does not count: readers do not see it yet.
 * Pure.
 */
export const readiness = (statuses: readonly ProjectionStatus[]): Readiness => {
  const serving = statuses.filter((status) => status.role === 'serving');
  const notLive = serving.filter((status) => status.state !== 'live').map(({ name, version, state }) => ({ name, version, state }));
  return notLive.length === 0
    ? { ready: true, live: serving.map((status) => status.name) }
    : { ready: false, notLive };
};
