import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { formatPosition, isAfter, type Position, type RecordedEvent } from '@clusterconf/domain';
import { createProjectionRunner, type ProjectionRunner, type ProjectionStateChange } from '@clusterconf/projections';
import { PostgresEventStore, PostgresReadModelStore } from '@clusterconf/adapters/postgres';
import { dropSchema, postgresAvailable, postgresUrl, uniqueSchema } from '../support/postgres.js';
import { isSimpleQuery, startTcpProxy, type ConnectionSelector, type TcpProxy } from '../support/tcp-proxy.js';
import { collectionOf } from './fixtures/stores.js';
import { foldStreamLengths, streamLengthsProjection } from './fixtures/stream-lengths-projection.js';
import { foldTally, seedTally, tallyEvents, tallyProjection } from './fixtures/tally-projection.js';
import { startTallyWriters, type TallyWriters } from './fixtures/tally-writers.js';

/** What the tests use of a runner; `ProjectionRunner<Event>` itself is invariant in its event type. */
type Running = Pick<ProjectionRunner, 'start' | 'stop' | 'status' | 'waitFor'>;

/**
 * How long each outage lasts: 30 s, as long as a PostgreSQL restart or failover may take, and far beyond what the
 * stores heal on their own: a PostgreSQL subscription retries a page for about 6 s (pauses of 0.2 + 0.4 + 0.8 + 1.6 +
 * 3.2 s) before it gives up, so past that it is the runner's supervisor that must bring the projections back.
 */
const OUTAGE_MS = 30_000;
/** An outage test: the outage, then healing under load on a shared machine. */
const OUTAGE_TEST_TIMEOUT_MS = 120_000;
/** Enough history that catching up takes a few seconds (every tally event reads its `applied` document from the store). */
const HISTORY = 4_000;
const NAMESPACES = ['tally_v1', 'stream_lengths_v1'];
const LEASES: ConnectionSelector = { applicationName: /^clusterconf-lease:/ };
const TALLY_LEASE: ConnectionSelector = { applicationName: /^clusterconf-lease:tally_v1$/ };

const pause = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

const collect = async <T>(iterable: AsyncIterable<T>): Promise<T[]> => {
  const items: T[] = [];
  for await (const item of iterable) items.push(item);
  return items;
};

/** One look at a projection through `status()`. */
interface Seen {
  readonly namespace: string;
  readonly state: string;
  readonly standbyReason?: string;
  readonly error?: string;
}

/** Which connections an outage takes away, and through which proxy. */
interface Outage {
  readonly proxy: 'events' | 'readModels';
  readonly selector?: ConnectionSelector;
}

// The event store, the read-model store and its leases each reach PostgreSQL through a proxy of their own (a lease is
// a dedicated session opened from the read-model store's settings, told apart by its application name), while
// writers append through a direct connection the whole time: only the runner's side of the network fails.
const outages: Record<string, Outage> = {
  'the event-store connection': { proxy: 'events' },
  // Pooled connections and lease sessions alike: the read-model database is out of reach.
  'the read-model store connection': { proxy: 'readModels' },
  // Only the leases' sessions (which also carry the batches' commits); document reads and checkpoints still work.
  'the lease connection': { proxy: 'readModels', selector: LEASES },
  // Only the pooled connections (document reads, checkpoints, the active version), as when the server drops them or
  // refuses new ones (too many clients) while the leases' sessions, and so the commits, go on.
  'the pooled read-model connections': { proxy: 'readModels', selector: { exceptApplicationName: /^clusterconf-lease:/ } },
};

describe.skipIf(!postgresAvailable)('projections on PostgreSQL through network outages', () => {
  let schema: string;
  let eventsProxy: TcpProxy;
  let readModelsProxy: TcpProxy;
  let direct: PostgresEventStore;
  let directReadModels: PostgresReadModelStore;
  let events: PostgresEventStore;
  let readModels: PostgresReadModelStore;
  let writers: TallyWriters | undefined;
  let runner: Running | undefined;
  let changes: ProjectionStateChange[];

  beforeEach(async () => {
    schema = uniqueSchema('outage');
    eventsProxy = await startTcpProxy();
    readModelsProxy = await startTcpProxy();
    direct = await PostgresEventStore.open({ connectionString: postgresUrl, schema });
    directReadModels = await PostgresReadModelStore.open({ connectionString: postgresUrl, schema });
    events = await PostgresEventStore.open({ connectionString: eventsProxy.url(), schema, pollIntervalMs: 50 });
    readModels = await PostgresReadModelStore.open({ connectionString: readModelsProxy.url(), schema, leaseHeartbeatMs: 500 });
    changes = [];
  });

  afterEach(async () => {
    eventsProxy.restore();
    readModelsProxy.restore();
    await writers?.stop().catch(() => undefined);
    writers = undefined;
    await runner?.stop();
    runner = undefined;
    await readModels.close();
    await events.close();
    await directReadModels.close();
    await direct.close();
    await eventsProxy.close();
    await readModelsProxy.close();
    await dropSchema(schema);
  });

  const startRunner = async (): Promise<Running> => {
    runner = createProjectionRunner({
      eventStore: events,
      readModelStore: readModels,
      registry: tallyEvents,
      projections: [tallyProjection(1), streamLengthsProjection],
      batchSize: 100,
      leaseRetryMs: 200,
      // Every backoff at its ceiling (no jitter), so a `retrying` state lasts long enough for status() to be seen in it.
      retry: { initialDelayMs: 500, maxDelayMs: 2_000 },
      random: () => 0.999,
      onStateChange: (change) => void changes.push(change),
    });
    await runner.start();
    return runner;
  };

  /** Polls `status()` for `ms`, keeping every look. */
  const watch = async (running: Running, ms: number): Promise<Seen[]> => {
    const seen: Seen[] = [];
    const until = Date.now() + ms;
    while (Date.now() < until) {
      for (const status of await running.status()) {
        seen.push({ namespace: status.namespace, state: status.state, standbyReason: status.standbyReason, error: status.error?.message });
      }
      await pause(50);
    }
    return seen;
  };

  const stateOf = async (running: Running): Promise<Record<string, string>> =>
    Object.fromEntries((await running.status()).map((status) => [status.namespace, status.state]));

  /** Waits until both projections committed at least once and are still catching up: the outage lands mid-history. */
  const untilCatchingUpWithCommits = async (running: Running): Promise<void> => {
    await expect
      .poll(async () => (await running.status()).map((s) => s.position !== undefined), { timeout: 20_000, interval: 10 })
      .toEqual([true, true]);
    expect(await stateOf(running)).toEqual({ tally_v1: 'catching-up', stream_lengths_v1: 'catching-up' });
  };

  const proxyOf = (outage: Outage): TcpProxy => (outage.proxy === 'events' ? eventsProxy : readModelsProxy);

  /**
   * After the outage: the writers stop, every projection reaches `live`, `waitFor` of the head resolves, and the read
   * models equal the fold of the whole log, computed without the runner: nothing lost, nothing applied twice.
   */
  const expectHealedAndEqualToFold = async (running: Running): Promise<void> => {
    await writers!.stop();
    const head = (await direct.headPosition())!;
    await running.waitFor(head, { timeoutMs: 40_000 });
    await expect.poll(() => stateOf(running), { timeout: 10_000 }).toEqual({ tally_v1: 'live', stream_lengths_v1: 'live' });
    for (const namespace of NAMESPACES) expect(formatPosition((await directReadModels.loadCheckpoint(namespace))!)).toBe(formatPosition(head));
    const log: RecordedEvent[] = await collect(direct.readAll());
    expect(log.length).toBeGreaterThan(writers!.appended());
    const expected = foldTally(log);
    const applied = await collectionOf(directReadModels, 'tally_v1', 'applied');
    expect(Object.entries(applied).filter(([, document]) => document.count !== 1)).toEqual([]);
    expect(Object.keys(applied).length).toBe(log.length);
    expect(applied).toEqual(expected.applied);
    expect(await collectionOf(directReadModels, 'tally_v1', 'totals')).toEqual(expected.totals);
    expect(await collectionOf(directReadModels, 'stream_lengths_v1', 'streams')).toEqual(foldStreamLengths(log));
  };

  /** What status() must have shown while the connections were gone: a fault being retried, never `failed`. */
  const expectRetriedNeverFailed = (outage: Outage, seen: readonly Seen[]): void => {
    expect(seen.filter((s) => s.state === 'failed')).toEqual([]);
    expect(changes.filter((c) => c.to === 'failed').map((c) => c.lifecycle)).toEqual([]);
    for (const namespace of NAMESPACES) {
      const retrying = seen.filter((s) => s.namespace === namespace && s.state === 'retrying');
      expect(retrying.length, `${namespace} was never seen retrying: ${JSON.stringify(seen.filter((s) => s.namespace === namespace).at(-1))}`).toBeGreaterThan(0);
      expect(retrying.every((s) => s.error !== undefined && s.error.length > 0)).toBe(true);
      if (outage.selector === LEASES) {
        // The lease was lost first: standby, then retrying while no new lease session can be opened.
        expect(changes.some((c) => c.namespace === namespace && c.to === 'standby')).toBe(true);
        expect(retrying.some((s) => /lease/.test(s.error!))).toBe(true);
      }
    }
  };

  for (const [what, outage] of Object.entries(outages)) {
    it(`${what} cut for ${OUTAGE_MS / 1000} s during catch-up: retrying, never failed, then live and equal to the fold`, async () => {
      await seedTally(direct, HISTORY, 'history');
      writers = startTallyWriters(direct);
      const running = await startRunner();
      await untilCatchingUpWithCommits(running);
      const proxy = proxyOf(outage);
      proxy.cut(outage.selector);
      const seen = await watch(running, OUTAGE_MS);
      proxy.restore();
      // The outage was real: live connections were reset and new ones refused.
      expect(proxy.counters.cutOff).toBeGreaterThan(0);
      expect(proxy.counters.refused).toBeGreaterThan(0);
      expectRetriedNeverFailed(outage, seen);
      await expectHealedAndEqualToFold(running);
    }, OUTAGE_TEST_TIMEOUT_MS);

    it(`${what} cut for ${OUTAGE_MS / 1000} s while live: retrying, never failed, then live and equal to the fold`, async () => {
      await seedTally(direct, 200, 'history');
      writers = startTallyWriters(direct);
      const running = await startRunner();
      await running.waitFor(await direct.headPosition());
      // Live events flow before the cut.
      await pause(300);
      expect(await stateOf(running)).toEqual({ tally_v1: 'live', stream_lengths_v1: 'live' });
      const proxy = proxyOf(outage);
      proxy.cut(outage.selector);
      const seen = await watch(running, OUTAGE_MS);
      proxy.restore();
      expect(proxy.counters.cutOff).toBeGreaterThan(0);
      expect(proxy.counters.refused).toBeGreaterThan(0);
      expectRetriedNeverFailed(outage, seen);
      await expectHealedAndEqualToFold(running);
    }, OUTAGE_TEST_TIMEOUT_MS);
  }

  // A commit in flight on the lease's session when that session is lost. Two ways it can end on the server: the
  // request never arrived (nothing committed), or the commit went through and only its answer was lost, so the runner
  // is told it failed although the checkpoint moved. Either way the projection must come back from the stored
  // checkpoint: standby or retrying meanwhile, then live, nothing applied twice.
  // The third case never ends the stall with a cut: the connection just stays silent, as a network can. The lease then
  // gives up on the batch after the window in which the server ends a silent session (10 heartbeats of 500 ms here).
  const inFlight = [
    { what: 'before the server saw it', query: 'begin', direction: 'both', landed: false, cut: true },
    { what: 'after the server committed it, its answer lost', query: 'commit', direction: 'to-client', landed: true, cut: true },
    { what: 'the connection silent and never cut', query: 'commit', direction: 'both', landed: false, cut: false },
  ] as const;
  for (const { what, query, direction, landed, cut } of inFlight) {
    it(`the lease connection cut while a commit is in flight, ${what}: standby or retrying, then live, nothing applied twice`, async () => {
      await seedTally(direct, 200, 'history');
      writers = startTallyWriters(direct);
      const running = await startRunner();
      await running.waitFor(await direct.headPosition());
      let started!: () => void;
      const commitStarted = new Promise<void>((resolve) => (started = resolve));
      // At the moment the next batch of the tally sends `query` on its lease session, that session stops answering.
      readModelsProxy.onceClientSends(TALLY_LEASE, isSimpleQuery(query), () => {
        readModelsProxy.stall({ ...TALLY_LEASE, direction });
        started();
      });
      await commitStarted;
      // Give the server time to commit what reached it (batches commit asynchronously: milliseconds).
      await pause(300);
      const stored = await directReadModels.loadCheckpoint('tally_v1');
      const known = (await running.status()).find((s) => s.namespace === 'tally_v1')!.position;
      // The scenario is the one intended: the runner still waits on the commit, which did or did not land.
      expect(isAfter(stored!, known as Position)).toBe(landed);
      let seen: Seen[];
      if (cut) {
        readModelsProxy.cut(TALLY_LEASE);
        seen = await watch(running, 1_500);
      } else {
        seen = await watch(running, 7_000);
      }
      readModelsProxy.restore();
      expect(seen.filter((s) => s.state === 'failed')).toEqual([]);
      expect(seen.some((s) => s.namespace === 'tally_v1' && (s.state === 'standby' || s.state === 'retrying'))).toBe(true);
      expect(changes.some((c) => c.namespace === 'tally_v1' && c.to === 'standby')).toBe(true);
      await expectHealedAndEqualToFold(running);
    });
  }
});
