import { conferenceEvents, type ConferenceEvent, type DomainEvent, type EventRegistry, type Position } from '@clusterconf/domain';
import { createProjectionRunner, ProjectionRunnerStateError, type Projection, type ProjectionStatus } from '@clusterconf/projections';
import type { OpenedStores } from './open-store.js';

/** Options of `catchUpProjections`. */
export interface CatchUpOptions<Event extends DomainEvent = ConferenceEvent> {
  readonly projections: readonly Projection<Event>[];
  /** Decodes the events for the projections; default: the conference events of the built-in read models. */
  readonly registry?: EventRegistry<Event>;
  /** Empty these projections first and replay them from position zero. */
  readonly rebuild?: readonly string[];
  /** Called about ten times a second with the work done and the work to do, in log positions (`prepare` parts). */
  readonly onProgress?: (done: number, total: number) => void;
  /** How long to wait for the head at most; default 10 minutes. */
  readonly timeoutMs?: number;
}

/** What a catch-up reached. */
export interface CatchUpResult {
  readonly head: Position | undefined;
  readonly statuses: readonly ProjectionStatus[];
}

/**
 * Runs the projections until every one has committed the log's current head, then stops: the batch form of the
 * runner, for `replay`, `rebuild` and the example. Rebuilt projections start again from position zero.
 */
export const catchUpProjections = async <Event extends DomainEvent = ConferenceEvent>(
  stores: OpenedStores,
  options: CatchUpOptions<Event>,
): Promise<CatchUpResult> => {
  const head = await stores.events.headPosition();
  const rebuild = new Set(options.rebuild ?? []);
  // A batch rebuild empties the projection before its runner starts, under its lease, so the runner never spends a
  // batch catching up the old model only to drop it (runner.rebuild() is for a runner that is already serving).
  for (const projection of options.projections.filter((p) => rebuild.has(p.name))) {
    await emptyUnderLease(stores, projection);
  }
  const statuses = await runUntilHead(stores, options.projections, head, options);
  return { head, statuses };
};

const emptyUnderLease = async (stores: OpenedStores, projection: Pick<Projection, 'name' | 'namespace'>): Promise<void> => {
  const { readModels } = stores;
  const lease = await readModels.acquireLease?.(projection.namespace, `clusterconf-rebuild:${process.pid}`);
  if (readModels.acquireLease !== undefined && lease === undefined) {
    throw new ProjectionRunnerStateError(`rebuild ${projection.name}`, `another runner is serving ${projection.namespace}; stop it, then rebuild`);
  }
  try {
    await readModels.dropNamespace(projection.namespace);
  } finally {
    await lease?.release();
  }
};

const runUntilHead = async <Event extends DomainEvent>(
  stores: OpenedStores,
  projections: readonly Projection<Event>[],
  head: Position | undefined,
  options: CatchUpOptions<Event>,
): Promise<ProjectionStatus[]> => {
  // Without a registry the projections are the conference's (the option's default type), read by its events.
  const registry = options.registry ?? (conferenceEvents as unknown as EventRegistry<Event>);
  const runner = createProjectionRunner<Event>({ eventStore: stores.events, readModelStore: stores.readModels, registry, projections });
  await runner.start();
  let timer: NodeJS.Timeout | undefined;
  try {
    if (head !== undefined) {
      const total = Number(head.prepare);
      const report = async () => {
        const statuses = await runner.status();
        options.onProgress?.(statuses.reduce((min, s) => Math.min(min, Number(s.position?.prepare ?? 0n)), total), total);
      };
      // status() counts each projection's lag in the event store (on EventStoreDB by reading the log after its
      // checkpoint), so the progress bar asks twice a second, not at every frame.
      timer = setInterval(() => void report().catch(() => undefined), 500);
      await runner.waitFor(head, { timeoutMs: options.timeoutMs ?? 600_000 });
      options.onProgress?.(total, total);
    }
    return await runner.status();
  } finally {
    clearInterval(timer);
    await runner.stop();
  }
};
