import { conferenceEvents, type ConferenceEvent, type Position } from '@clusterconf/domain';
import { createProjectionRunner, type Projection, type ProjectionStatus } from '@clusterconf/projections';
import type { OpenedStores } from './open-store.js';

/** Options of `catchUpProjections`. */
export interface CatchUpOptions {
  readonly projections: readonly Projection<ConferenceEvent>[];
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
export const catchUpProjections = async (stores: OpenedStores, options: CatchUpOptions): Promise<CatchUpResult> => {
  const head = await stores.events.headPosition();
  const rebuild = new Set(options.rebuild ?? []);
  const total = head === undefined ? 0 : Number(head.prepare) * (rebuild.size + 1);
  let finished = 0;
  // Each rebuild runs in a runner of its own: rebuilding one projection inside a runner that also serves others
  // applied part of the log to it twice (seen with the runner of this commit), and alone it is exact.
  for (const projection of options.projections.filter((p) => rebuild.has(p.name))) {
    await runUntilHead(stores, [projection], head, [projection.name], options, (done) => options.onProgress?.(finished + done, total));
    finished += head === undefined ? 0 : Number(head.prepare);
  }
  const statuses = await runUntilHead(stores, options.projections, head, [], options, (done) => options.onProgress?.(finished + done, total));
  return { head, statuses };
};

const runUntilHead = async (
  stores: OpenedStores,
  projections: readonly Projection<ConferenceEvent>[],
  head: Position | undefined,
  rebuild: readonly string[],
  options: CatchUpOptions,
  onProgress: (done: number) => void,
): Promise<ProjectionStatus[]> => {
  const runner = createProjectionRunner({ eventStore: stores.events, readModelStore: stores.readModels, registry: conferenceEvents, projections });
  await runner.start();
  let timer: NodeJS.Timeout | undefined;
  try {
    for (const name of rebuild) await runner.rebuild(name);
    if (head !== undefined) {
      const report = async () => {
        const statuses = await runner.status();
        onProgress(statuses.reduce((min, s) => Math.min(min, Number(s.position?.prepare ?? 0n)), Number(head.prepare)));
      };
      timer = setInterval(() => void report().catch(() => undefined), 100);
      await runner.waitFor(head, { timeoutMs: options.timeoutMs ?? 600_000 });
      onProgress(Number(head.prepare));
    }
    return await runner.status();
  } finally {
    clearInterval(timer);
    await runner.stop();
  }
};
