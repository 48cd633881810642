import pg from 'pg';
import type { NewEvent, RecordedEvent, Subscription } from '@clusterconf/domain';
import { serializeEvents } from '@clusterconf/domain';
import { PostgresEventStore, type PostgresEventStoreOptions } from '@clusterconf/adapters/postgres';
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
export const appendInHeldTransaction = async (client: pg.Client, schema: string, streamId: string, events: readonly NewEvent[]): Promise<bigint> => {
  const serialized = serializeEvents(streamId, events);
  await client.query('begin');
  const result = await client.query<{ outcome: string; commit_id: string }>(
    `select outcome, commit_id from "${schema}".append_events($1, $2, $3::uuid[], $4::text[], $5::text[], $6::text[])`,
    [streamId, 'any', serialized.map((e) => e.eventId), serialized.map((e) => e.type), serialized.map((e) => e.data), serialized.map((e) => e.metadata)],
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
