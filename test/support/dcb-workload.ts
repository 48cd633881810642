import { expect } from 'vitest';
import type { DcbEventStore, EventStore, Position, Query, RecordedEvent, Subscription } from '@clusterconf/domain';
import { AppendConditionFailedError } from '@clusterconf/domain';
import { newTaggedEvent } from '@clusterconf/adapters/testing';

/**
 * The DCB concurrency workload of the SQLite (two processes) and PostgreSQL tests: writers that alternate
 *  - a DISJOINT conditional append: a `Noted` event tagged with the writer's own tag, on the condition that no
 *    `Noted` with that tag was stored after the last one the writer read. Only this writer writes that tag, so such
 *    an append must never be refused;
 *  - an OVERLAPPING one: the next number of one shared counter, `Numbered { n }` tagged `counter`, on the condition
 *    that no `Numbered` was stored after the last one the writer read (reads are incremental, from its last position).
 *    Writers race on it, so many are refused; but if two ever both succeeded on the same read, two events would
 *    carry the same number.
 * The checks afterwards: the counter's numbers in log order are exactly 0, 1, 2, … (no duplicate: no two conflicting
 * appends both succeeded; no gap: every success had read the latest), and every refusal was a failed condition.
 */
export interface WorkloadTally {
  readonly disjoint: number;
  readonly numbered: number;
  readonly refused: number;
}

const counterQuery = (prefix: string): Query => ({ items: [{ types: ['Numbered'], tags: [`${prefix}counter`] }] });
const ownQuery = (prefix: string, writer: string): Query => ({ items: [{ types: ['Noted'], tags: [`${prefix}writer:${writer}`] }] });

const lastOf = async (store: DcbEventStore, query: Query, after: Position | undefined): Promise<RecordedEvent | undefined> => {
  let last: RecordedEvent | undefined;
  for await (const event of store.read(query, { after })) last = event;
  return last;
};

/** Runs one writer's `appends` conditional appends; returns how many of each kind were stored and refused. */
export const runDcbWriter = async (store: DcbEventStore, prefix: string, writer: string, appends: number): Promise<WorkloadTally> => {
  let disjoint = 0;
  let numbered = 0;
  let refused = 0;
  let ownAfter: Position | undefined;
  let counterAfter: Position | undefined;
  let next = 0;
  for (let i = 0; i < appends; i++) {
    if (i % 2 === 0) {
      const query = ownQuery(prefix, writer);
      ownAfter = (await lastOf(store, query, ownAfter))?.position ?? ownAfter;
      const result = await store.append(`${prefix}notes-${writer}`, [newTaggedEvent('Noted', [`${prefix}writer:${writer}`], { writer, i })], { failIfEventsMatch: query, after: ownAfter });
      ownAfter = result.position;
      disjoint++;
      continue;
    }
    const query = counterQuery(prefix);
    const seen = await lastOf(store, query, counterAfter);
    if (seen !== undefined) {
      counterAfter = seen.position;
      next = (seen.data as { n: number }).n + 1;
    }
    try {
      const result = await store.append(`${prefix}counter-${writer}`, [newTaggedEvent('Numbered', [`${prefix}counter`], { n: next, writer })], { failIfEventsMatch: query, after: counterAfter });
      counterAfter = result.position;
      next++;
      numbered++;
    } catch (error) {
      if (!(error instanceof AppendConditionFailedError)) throw error;
      refused++;
    }
  }
  return { disjoint, numbered, refused };
};

/** Sums tallies. */
export const sumTallies = (tallies: readonly WorkloadTally[]): WorkloadTally =>
  tallies.reduce((a, b) => ({ disjoint: a.disjoint + b.disjoint, numbered: a.numbered + b.numbered, refused: a.refused + b.refused }), { disjoint: 0, numbered: 0, refused: 0 });

/** Collects the subscription's events of this workload until `count` arrived. */
export const collectWorkload = async (subscription: Subscription, prefix: string, count: number): Promise<RecordedEvent[]> => {
  const received: RecordedEvent[] = [];
  const iterator = subscription[Symbol.asyncIterator]();
  while (received.length < count) {
    const next = await iterator.next();
    if (next.done) throw new Error(`subscription ended after ${received.length} of ${count} events`);
    if (next.value.kind === 'event' && next.value.event.streamId.startsWith(prefix)) received.push(next.value.event);
  }
  return received;
};

/** The workload's invariants over what was stored, what each writer counted, and what the subscriber received. */
export const expectWorkloadHeld = async (
  store: EventStore,
  prefix: string,
  tally: WorkloadTally,
  expected: { readonly writers: number; readonly appendsPerWriter: number },
  received: readonly RecordedEvent[],
): Promise<void> => {
  // None of the disjoint appends was refused, and every append was one or the other.
  expect(tally.disjoint).toBe(expected.writers * Math.ceil(expected.appendsPerWriter / 2));
  expect(tally.numbered + tally.refused).toBe(expected.writers * Math.floor(expected.appendsPerWriter / 2));
  const log: RecordedEvent[] = [];
  for await (const event of store.readAll({ pageSize: 500 })) if (event.streamId.startsWith(prefix)) log.push(event);
  const numbers = log.filter((e) => e.type === 'Numbered').map((e) => (e.data as { n: number }).n);
  // No two appends on one read both stored: the numbers are 0..k-1, each once, in log order.
  expect(numbers).toEqual(Array.from({ length: tally.numbered }, (_, n) => n));
  expect(log.filter((e) => e.type === 'Noted')).toHaveLength(tally.disjoint);
  // The live subscriber got every event once, in the log's order.
  expect(new Set(received.map((e) => e.metadata.eventId)).size).toBe(received.length);
  expect(received.map((e) => e.metadata.eventId)).toEqual(log.map((e) => e.metadata.eventId));
};
