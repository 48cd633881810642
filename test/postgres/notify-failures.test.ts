import { afterEach, describe, expect, it } from 'vitest';
import type pg from 'pg';
import type { Subscription } from '@clusterconf/domain';
import type { PostgresEventStore } from '@clusterconf/adapters/postgres';
import { newEvent } from '@clusterconf/adapters/testing';
import { dropSchema, postgresAvailable, postgresUrl, uniqueSchema } from '../support/postgres.js';
import { openStore, rawClient, takeEvents, untilCaughtUp } from './fixtures.js';

/**
 * What the writer's NOTIFY does. A `pg_notify(text, text)` in a schema of its own, which the writer's sessions find
 * before the built-in one through their `search_path`, fails its first call (`fail`), or waits for an advisory lock
 * the test holds (`block`: a notification that does not answer, without taking a transaction id that would hold back
 * readers); then it passes on to the real one. The failures are PostgreSQL's own, inside the notifying session.
 */
type Mode = { readonly kind: 'fail' } | { readonly kind: 'block'; readonly lockKey: number };

const shadowNotify = async (shadow: string, mode: Mode): Promise<string> => {
  const before =
    mode.kind === 'fail'
      ? `if nextval('"${shadow}".calls') = 1 then raise exception 'injected notify failure'; end if;`
      : `perform pg_advisory_xact_lock_shared(${mode.lockKey});`;
  const client = await rawClient();
  try {
    await client.query(`create schema "${shadow}"; create sequence "${shadow}".calls;
      create function "${shadow}".pg_notify(channel text, payload text) returns void language plpgsql as $fn$
      begin
        ${before}
        perform pg_catalog.pg_notify(channel, payload);
      end $fn$`);
  } finally {
    await client.end();
  }
  return `${postgresUrl}?options=${encodeURIComponent(`-c search_path=${shadow},pg_catalog`)}`;
};

/** The backends of a schema's listening connections, and whether each is idle or stuck in a statement. */
const listeners = async (schema: string): Promise<{ pid: number; state: string; waiting: boolean; query: string }[]> => {
  const client = await rawClient();
  try {
    const { rows } = await client.query<{ pid: number; state: string; waiting: boolean; query: string }>(
      "select pid, state, wait_event_type = 'Lock' as waiting, query from pg_stat_activity where application_name = $1",
      [`clusterconf-listen:${schema}`],
    );
    return rows;
  } finally {
    await client.end();
  }
};

const until = async (condition: () => Promise<boolean>, what: string): Promise<void> => {
  const deadline = Date.now() + 15_000;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`gave up waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
};

describe.skipIf(!postgresAvailable)('PostgreSQL notifications that fail or do not answer', () => {
  const schemas: string[] = [];
  const stores: PostgresEventStore[] = [];
  const clients: pg.Client[] = [];
  let subscription: Subscription | undefined;
  afterEach(async () => {
    await subscription?.close();
    subscription = undefined;
    for (const store of stores.splice(0)) await store.close();
    const client = await rawClient();
    try {
      // A blocked notification's session waits on after its connection was dropped; end it with the test.
      await client.query('select pg_terminate_backend(pid) from pg_stat_activity where application_name = any($1::text[])', [
        schemas.map((schema) => `clusterconf-listen:${schema}`),
      ]);
    } finally {
      await client.end();
    }
    for (const held of clients.splice(0)) await held.end();
    for (const schema of schemas.splice(0)) await dropSchema(schema);
  });

  /** A reader that only a notification can wake (it polls hourly), and a writer whose NOTIFY behaves as `mode` says. */
  const readerAndWriter = async (mode: Mode) => {
    const schema = uniqueSchema('notify');
    const shadow = uniqueSchema('shadow');
    schemas.push(schema, shadow);
    const writerUrl = await shadowNotify(shadow, mode);
    const reader = await openStore(schema, { pollIntervalMs: 3_600_000 });
    stores.push(reader);
    const writer = await openStore(schema, { connectionString: writerUrl });
    stores.push(writer);
    subscription = reader.subscribe();
    await untilCaughtUp(subscription);
    return { schema, writer, subscription };
  };

  /** Holds an advisory lock, so notifications of `block` mode wait for it. */
  const blockNotifications = async (): Promise<{ lockKey: number; release: () => Promise<unknown> }> => {
    const lockKey = Math.floor(Math.random() * 2 ** 30);
    const client = await rawClient();
    clients.push(client);
    await client.query('select pg_advisory_lock($1)', [lockKey]);
    return { lockKey, release: () => client.query('select pg_advisory_unlock($1)', [lockKey]) };
  };

  it('after a notification fails, the next append still wakes a subscriber of another store', async () => {
    const { writer, subscription, schema } = await readerAndWriter({ kind: 'fail' });
    const woken = takeEvents(subscription, 2);
    await writer.appendToStream('s', [newEvent('A', { i: 0 })]);
    await until(async () => (await listeners(schema)).some((l) => l.query.includes('pg_notify') && l.state !== 'active'), 'the failed notification');
    await writer.appendToStream('s', [newEvent('A', { i: 1 })]);
    // Only a notification sent after the failure can deliver these: the reader does not poll within the test.
    expect((await woken).map((e) => e.data)).toEqual([{ i: 0 }, { i: 1 }]);
  }, 30_000);

  it('a notification that does not answer is given up with its connection, and later appends wake subscribers again', async () => {
    const block = await blockNotifications();
    const { writer, subscription, schema } = await readerAndWriter({ kind: 'block', lockKey: block.lockKey });
    const woken = takeEvents(subscription, 2);
    await writer.appendToStream('s', [newEvent('A', { i: 0 })]);
    await until(async () => (await listeners(schema)).some((l) => l.waiting), 'the notification to block');
    // After the notification's timeout the writer drops that connection and listens on a new one: then the reader's
    // listener and the writer's new one are idle, and the blocked session still waits.
    await until(async () => (await listeners(schema)).filter((l) => l.state === 'idle').length === 2, 'the writer to reconnect');
    // The dropped session would notify once unblocked; end it, so only a later notification can wake the reader.
    const stuck = (await listeners(schema)).filter((l) => l.waiting).map((l) => l.pid);
    const killer = await rawClient();
    await killer.query('select pg_terminate_backend(pid) from unnest($1::int[]) as pid', [stuck]).finally(() => killer.end());
    await block.release();
    await writer.appendToStream('s', [newEvent('A', { i: 1 })]);
    expect((await woken).map((e) => e.data)).toEqual([{ i: 0 }, { i: 1 }]);
  }, 30_000);

  it('close() does not wait for a notification that does not answer', async () => {
    const block = await blockNotifications();
    const { writer, schema } = await readerAndWriter({ kind: 'block', lockKey: block.lockKey });
    await writer.appendToStream('s', [newEvent('A', {})]);
    await until(async () => (await listeners(schema)).some((l) => l.waiting), 'the notification to block');
    const started = performance.now();
    await writer.close();
    // The notification waits as long as the test holds its lock, which is until the test ends.
    expect(performance.now() - started).toBeLessThan(5_000);
  }, 30_000);
});
