import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type pg from 'pg';
import * as t from 'io-ts';
import { createEventRegistry, defineEvent, formatPosition, type Position } from '@clusterconf/domain';
import { createProjectionRunner, defineProjection, MemoryReadModelStore, type ProjectionRunner, type ProjectionStatus } from '@clusterconf/projections';
import type { PostgresEventStore } from '@clusterconf/adapters/postgres';
import { newEvent } from '@clusterconf/adapters/testing';
import { dropSchema, postgresAvailable, uniqueSchema } from '../support/postgres.js';
import { appendInHeldTransaction, openStore, rawClient } from './fixtures.js';

/** What the tests use of a runner; `ProjectionRunner<Event>` itself is invariant in its event type. */
type Running = Pick<ProjectionRunner, 'start' | 'stop' | 'status' | 'waitFor'>;

const registry = createEventRegistry([defineEvent('Counted', t.type({ n: t.number }))]);
const counted = (n: number) => newEvent('Counted', { n });

// Lag is "events not yet applied". On PostgreSQL a position is (transaction id, sequence number), and neither part
// counts events: a rolled-back append consumes sequence numbers (holes), and transactions commit out of sequence order.
// So lag must be counted in the log, not computed from the difference of two positions.
describe.skipIf(!postgresAvailable)('projection lag on PostgreSQL', () => {
  let schema: string;
  let store: PostgresEventStore;
  let runner: Running | undefined;
  let openGate: () => void = () => undefined;
  const clients: pg.Client[] = [];

  beforeEach(async () => {
    schema = uniqueSchema('lag');
    store = await openStore(schema, { pollIntervalMs: 50, orderingWaitMs: 200 });
  });
  afterEach(async () => {
    openGate();
    for (const client of clients.splice(0)) await client.end();
    await runner?.stop();
    runner = undefined;
    await store.close();
    await dropSchema(schema);
  });

  const holder = async (): Promise<pg.Client> => {
    const client = await rawClient();
    clients.push(client);
    return client;
  };

  /** An append that rolls back: it takes sequence numbers and leaves nothing. */
  const rolledBack = async (events: number): Promise<void> => {
    const client = await holder();
    await appendInHeldTransaction(client, schema, 'rolled-back', Array.from({ length: events }, (_, i) => counted(-(i + 1))));
    await client.query('rollback');
  };

  const tallyOf = async (running: Running): Promise<ProjectionStatus> => (await running.status())[0]!;

  it('counts the events after the checkpoint exactly, across rolled-back appends and out-of-order commits', async () => {
    const gate: { held?: Promise<void> } = {};
    const gated = defineProjection(registry, {
      name: 'gated',
      version: 1,
      handlers: {
        Counted: async ({ data }, ops) => {
          // Held here once the gate closes: the checkpoint stays where it was while the log grows.
          await gate.held;
          await ops.update<{ sum: number }>('totals', 'all', (current) => ({ sum: (current?.sum ?? 0) + data.n }));
        },
      },
    });
    await rolledBack(2);
    let head: Position | undefined;
    for (let n = 1; n <= 5; n++) head = (await store.appendToStream('before', [counted(n)])).position;
    runner = createProjectionRunner({ eventStore: store, readModelStore: new MemoryReadModelStore(), registry, projections: [gated] });
    await runner.start();
    await runner.waitFor(head);
    // Caught up with holes before the checkpoint: nothing to apply.
    expect(await tallyOf(runner)).toMatchObject({ state: 'live', lag: 0, lagIs: 'exact' });
    const checkpoint = (await tallyOf(runner)).position!;
    expect(formatPosition(checkpoint)).toBe(formatPosition(head!));

    gate.held = new Promise<void>((resolve) => (openGate = resolve));
    let appended = 0;
    await rolledBack(3);
    await store.appendToStream('after', [counted(10), counted(11)]);
    appended += 2;
    // Two transactions that commit out of sequence order: the first to take numbers commits last.
    const first = await holder();
    const second = await holder();
    await appendInHeldTransaction(first, schema, 'first', [counted(20), counted(21)]);
    await appendInHeldTransaction(second, schema, 'second', [counted(30), counted(31), counted(32)]);
    await rolledBack(4);
    await second.query('commit');
    // The second's events are stored, and held back from readers by the first, still open.
    await expect.poll(async () => (await tallyOf(runner!)).heldBy, { timeout: 5_000 }).toBeDefined();
    await first.query('commit');
    appended += 5;
    const last = (await store.appendToStream('after', [counted(40)])).position;
    appended += 1;

    // Sequence numbers moved by far more than the events appended: the holes the rolled-back appends left.
    expect(last.prepare - checkpoint.prepare).toBeGreaterThan(BigInt(appended));
    await expect
      .poll(async () => {
        const status = await tallyOf(runner!);
        return { lag: status.lag, lagIs: status.lagIs, heldBy: status.heldBy, position: status.position && formatPosition(status.position) };
      }, { timeout: 5_000 })
      .toEqual({ lag: appended, lagIs: 'exact', heldBy: undefined, position: formatPosition(checkpoint) });

    openGate();
    await runner.waitFor(last);
    expect(await tallyOf(runner)).toMatchObject({ state: 'live', lag: 0, lagIs: 'exact' });
  });
});
