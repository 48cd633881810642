import { afterEach, describe, expect, it } from 'vitest';
import { PostgresEventStore, PostgresReadModelStore } from '@clusterconf/adapters/postgres';
import { newEvent } from '@clusterconf/adapters/testing';
import { dropSchema, postgresAvailable, postgresUrl, uniqueSchema } from '../support/postgres.js';
import { untilCaughtUp } from './fixtures.js';
import { startSilentProxy, type SilentProxy } from './silent-proxy.js';

/** How long close() may take when its connections do not answer: their goodbye is bounded, not awaited. */
const PROMPTLY_MS = 5_000;

describe.skipIf(!postgresAvailable)('PostgreSQL stores whose connections fall silent', () => {
  const schemas: string[] = [];
  let proxy: SilentProxy | undefined;
  afterEach(async () => {
    await proxy?.close();
    proxy = undefined;
    for (const schema of schemas.splice(0)) await dropSchema(schema);
  });

  const timed = async (work: () => Promise<void>): Promise<number> => {
    const started = performance.now();
    await work();
    return performance.now() - started;
  };

  it('an event store closes promptly when its listening connection no longer answers', async () => {
    proxy = await startSilentProxy();
    const schema = uniqueSchema('silent_es');
    schemas.push(schema);
    const store = await PostgresEventStore.open({ connectionString: proxy.url, schema });
    await store.appendToStream('s', [newEvent('A', {})]);
    // Let the append's notification go out, so only the goodbye of an idle connection is left.
    await new Promise((resolve) => setTimeout(resolve, 100));
    proxy.silence();
    expect(await timed(() => store.close())).toBeLessThan(PROMPTLY_MS);
  }, 30_000);

  it('a read-model store closes promptly when the connection of a lease it holds no longer answers', async () => {
    proxy = await startSilentProxy();
    const schema = uniqueSchema('silent_rm');
    schemas.push(schema);
    // Heartbeats far apart, so only close() can notice the silence within the test.
    const store = await PostgresReadModelStore.open({ connectionString: proxy.url, schema, leaseHeartbeatMs: 600_000 });
    const lease = await store.acquireLease('talks_v1', 'a');
    expect(lease).toBeDefined();
    proxy.silence();
    expect(await timed(() => store.close())).toBeLessThan(PROMPTLY_MS);
    expect(lease!.lost.aborted).toBe(true);
  }, 30_000);

  it('the server ends the session of a lease holder gone silent, so another store takes the lease within seconds', async () => {
    proxy = await startSilentProxy();
    const schema = uniqueSchema('silent_lease');
    schemas.push(schema);
    // A holder whose network falls silent: its heartbeats no longer reach the server, nor does its goodbye.
    const holder = await PostgresReadModelStore.open({ connectionString: proxy.url, schema, leaseHeartbeatMs: 200 });
    const standby = await PostgresReadModelStore.open({ connectionString: postgresUrl, schema, leaseHeartbeatMs: 200 });
    try {
      expect(await holder.acquireLease('talks_v1', 'holder')).toBeDefined();
      expect(await standby.acquireLease('talks_v1', 'standby')).toBeUndefined();
      proxy.silence();
      const started = performance.now();
      let lease = await standby.acquireLease('talks_v1', 'standby');
      while (lease === undefined && performance.now() - started < 20_000) {
        await new Promise((resolve) => setTimeout(resolve, 100));
        lease = await standby.acquireLease('talks_v1', 'standby');
      }
      // Ten missed heartbeats of 200 ms; without the server-side limits the lock would stay taken for hours.
      expect(lease).toBeDefined();
      expect(performance.now() - started).toBeLessThan(10_000);
    } finally {
      await standby.close();
      await holder.close();
    }
  }, 30_000);

  it("close() ends a subscription's pause between retries of an unreachable server at once", async () => {
    proxy = await startSilentProxy();
    const schema = uniqueSchema('silent_retry');
    schemas.push(schema);
    const store = await PostgresEventStore.open({ connectionString: proxy.url, schema, pollIntervalMs: 20 });
    const subscription = store.subscribe();
    await untilCaughtUp(subscription);
    const pending = subscription[Symbol.asyncIterator]().next().catch((error: unknown) => error);
    proxy.refuse();
    // The subscription's page read retries with pauses of 0.2, 0.4, 0.8, 1.6 and 3.2 s: after its fifth attempt, the
    // longest pause begins, and close() must not sit it out.
    while (proxy.refusedOthers < 5) await new Promise((resolve) => setTimeout(resolve, 5));
    expect(await timed(() => store.close())).toBeLessThan(1_600);
    await pending;
  }, 30_000);
});
