import { conferenceEvents, type ConferenceEvent, type Position } from '@clusterconf/domain';
import { createProjectionRunner, type Projection, type ProjectionStatus } from '@clusterconf/projections';
import type { OpenedStores } from './open-store.js';

/** Options of `catchUpProjections`. */
export interface CatchUpOptions {
  readonly projections: readonly Projection<ConferenceEvent>[];
  /** Empty these projections first and replay them from position zero. */
  readonly rebuild?: readonly string[];
  /** Called about ten times a second with the slowest projection's position and the head (both `prepare` parts). */
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
  const runner = createProjectionRunner({
    eventStore: stores.events,
    readModelStore: stores.readModels,
    registry: conferenceEvents,
    projections: options.projections,
  });
  await runner.start();
  let timer: NodeJS.Timeout | undefined;
  try {
    for (const name of options.rebuild ?? []) await runner.rebuild(name);
    if (head !== undefined) {
      const report = async () => {
        const statuses = await runner.status();
        const slowest = statuses.reduce((min, s) => Math.min(min, Number(s.position?.prepare ?? 0n)), Number(head.prepare));
        options.onProgress?.(slowest, Number(head.prepare));
      };
      timer = setInterval(() => void report().catch(() => undefined), 100);
      await runner.waitFor(head, { timeoutMs: options.timeoutMs ?? 600_000 });
      options.onProgress?.(Number(head.prepare), Number(head.prepare));
    }
    return { head, statuses: await runner.status() };
  } finally {
    clearInterval(timer);
    await runner.stop();
  }
};
