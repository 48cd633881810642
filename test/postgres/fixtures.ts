import pg from 'pg';
import type { NewEvent, RecordedEvent, Subscription, SubscriptionMessage } from '@clusterconf/domain';
import { serializeEvents, type AppendCondition } from '@clusterconf/domain';
import { conditionParameters, LockKeyring, PostgresEventStore, type PostgresEventStoreOptions } from '@clusterconf/adapters/postgres';
import { postgresConfig, postgresUrl } from '../support/postgres.js';

/** Opens a store on the test database in `schema`. */
export const openStore = (schema: string, options: PostgresEventStoreOptions = {}): Promise<PostgresEventStore> =>
  PostgresEventStore.open({ connectionString: postgresUrl, schema, ...options });

/** A raw connection to the test database, for what a store must not be asked to do. */
export const rawClient = async (): Promise<pg.Client> => {
  const client = new pg.Client(postgresConfig);
  await client.connect();
  return client;
};

/**
 * Starts an append inside a transaction that the caller holds open, through the very statement the store uses, so
 * a test can make later appends commit first. Returns the transaction id the held rows carry.
 */
export const appendInHeldTransaction = async (
  client: pg.Client,
  schema: string,
  streamId: string,
  events: readonly NewEvent[],
  condition?: AppendCondition,
): Promise<bigint> => {
  await client.query('begin');
  return appendInOpenTransaction(client, schema, streamId, events, condition);
};

/**
 * The append of `appendInHeldTransaction` inside the transaction `client` already has open, with the advisory locks
 * the store would take (and, given one, the condition), so the held transaction holds them too.
 */
export const appendInOpenTransaction = async (
  client: pg.Client,
  schema: string,
  streamId: string,
  events: readonly NewEvent[],
  condition?: AppendCondition,
): Promise<bigint> => {
  const serialized = serializeEvents(streamId, events);
  const locks = new LockKeyring(schema).locksOf(serialized, condition);
  const result = await client.query<{ outcome: string; commit_id: string }>(
    `select outcome, commit_id from "${schema}".append_events($1, $2, $3::uuid[], $4::text[], $5::text[], $6::text[], $7::text[], $8::int[],
      $9::bigint[], $10::boolean[], $11::boolean, $12::text[], $13::text[], $14::int[], $15::text[], $16::text[], $17::int[], $18::text[],
      $19::boolean, $20::text::xid8, $21::bigint)`,
    [streamId, 'any', serialized.map((e) => e.eventId), serialized.map((e) => e.type), serialized.map((e) => e.data), serialized.map((e) => e.metadata),
      serialized.flatMap((e) => e.tags), serialized.map((e) => e.tags.length), locks.keys.map(String), locks.exclusive, ...conditionParameters(condition)],
  );
  if (result.rows[0]?.outcome !== 'appended') throw new Error(`held append was not applied: ${JSON.stringify(result.rows)}`);
  return BigInt(result.rows[0].commit_id);
};

/** Pulls events from a subscription until `count` have arrived; fails if it ends first. */
export const takeEvents = async (subscription: Subscription, count: number, keep: (event: RecordedEvent) => boolean = () => true): Promise<RecordedEvent[]> => {
  const received: RecordedEvent[] = [];
  const iterator = subscription[Symbol.asyncIterator]();
  while (received.length < count) {
    const next = await iterator.next();
    if (next.done) throw new Error(`subscription ended after ${received.length} of ${count} events`);
    if (next.value.kind === 'event' && keep(next.value.event)) received.push(next.value.event);
  }
  return received;
};

/** Collects an async iterable. */
export const collect = async <T>(iterable: AsyncIterable<T>): Promise<T[]> => {
  const items: T[] = [];
  for await (const item of iterable) items.push(item);
  return items;
};

/** Pulls messages until the subscription says it has caught up; returns the events pulled on the way. */
export const untilCaughtUp = async (subscription: Subscription): Promise<RecordedEvent[]> => {
  const events: RecordedEvent[] = [];
  const iterator = subscription[Symbol.asyncIterator]();
  for (;;) {
    const next = await iterator.next();
    if (next.done) throw new Error(`subscription ended after ${events.length} events before catching up`);
    if (next.value.kind === 'event') events.push(next.value.event);
    if (next.value.kind === 'caughtUp') return events;
  }
};

/** Pulls messages until one satisfies `last`, which is included; fails if the subscription ends first. */
export const messagesUntil = async (
  iterator: AsyncIterator<SubscriptionMessage>,
  last: (message: SubscriptionMessage) => boolean,
): Promise<SubscriptionMessage[]> => {
  const messages: SubscriptionMessage[] = [];
  for (;;) {
    const next = await iterator.next();
    if (next.done === true) throw new Error(`subscription ended after ${messages.length} messages: ${JSON.stringify(messages.map((m) => m.kind))}`);
    messages.push(next.value);
    if (last(next.value)) return messages;
  }
};

/** The events among `messages`. */
export const eventsIn = (messages: readonly SubscriptionMessage[]): RecordedEvent[] =>
  messages.flatMap((m) => (m.kind === 'event' ? [m.event] : []));

/** A pool on the test database, handed to a store as `pool`, that counts the rows the server sends back. */
export interface CountingPool {
  readonly pool: pg.Pool;
  /** Rows received so far, over every query the store made through the pool. */
  readonly rowsReceived: () => number;
}

/**
 * A caller's own pool, wrapped to count the rows of every query result: what a read ships over the network, seen
 * from outside the store and without timing.
 */
export const countingPool = (): CountingPool => {
  const pool = new pg.Pool({ connectionString: postgresUrl, max: 4 });
  pool.on('error', () => undefined);
  let rows = 0;
  const query = pool.query.bind(pool) as (...args: unknown[]) => Promise<pg.QueryResult>;
  // The store calls the promise form only (a config object, or text and values).
  pool.query = (async (...args: unknown[]) => {
    const result = await query(...args);
    rows += result.rows.length;
    return result;
  }) as typeof pool.query;
  return { pool, rowsReceived: () => rows };
};
