import { describe, expect, it } from 'vitest';
import * as t from 'io-ts';
import { createEventRegistry, defineEvent, newEventId, type EventStore } from '@clusterconf/domain';
import { MemoryEventStore } from '@clusterconf/adapters/memory';
import { ControlledReadModelStore } from './controlled-store.test-helper.js';
import { ProjectionFailedError, ProjectionVersionError } from './errors.js';
import { FlakyEventStore } from './flaky-event-store.test-helper.js';
import { MemoryReadModelStore } from './memory/index.js';
import { defineProjection } from './projection.js';
import { createProjectionRunner, type ProjectionStateChange } from './projection-runner.js';
import { createReadModelReader } from './read-model-reader.js';
import type { ProjectionLogger } from './runner-logger.js';

const ledger = createEventRegistry([
  defineEvent('Deposited', t.type({ account: t.string, amount: t.number })),
  defineEvent('Noted', t.type({ text: t.string })),
]);

/** Balances scaled by the version, so a reader can tell which version it reads. */
const balances = (version = 1) =>
  defineProjection(ledger, {
    name: 'balances',
    version,
    handlers: {
      Deposited: ({ data }, ops) =>
        ops.update<{ balance: number }>('accounts', data.account, (current) => ({ balance: (current?.balance ?? 0) + data.amount * version })),
    },
  });

const notes = defineProjection(ledger, {
  name: 'notes',
  version: 1,
  handlers: {
    Noted: ({ data }, ops) => ops.update<{ texts: string[] }>('log', 'all', (current) => ({ texts: [...(current?.texts ?? []), data.text] })),
  },
});

const meta = () => ({ eventId: newEventId(), occurredAt: '2020-11-23T09:00:00.000Z', correlationId: 'c', causationId: 'c', schemaVersion: 1 });
const append = (store: EventStore, stream: string, type: string, data: unknown) => store.appendToStream(stream, [{ type, data, metadata: meta() }]);
const deposit = (store: EventStore, amount: number) => append(store, 'acc-a', 'Deposited', { account: 'a', amount });

const quickRetry = { initialDelayMs: 5, maxDelayMs: 20 };

const recordingLogger = () => {
  const lines: { level: string; fields: object; message: string }[] = [];
  const logger: ProjectionLogger = {
    info: (fields, message) => void lines.push({ level: 'info', fields, message }),
    warn: (fields, message) => void lines.push({ level: 'warn', fields, message }),
    error: (fields, message) => void lines.push({ level: 'error', fields, message }),
  };
  return { lines, logger };
};

describe('the runner as a supervisor', () => {
  it('retries a projection whose log cannot be read, shows when, logs it, and resumes from its checkpoint', async () => {
    const events = new FlakyEventStore(new MemoryEventStore());
    const readModels = new MemoryReadModelStore();
    for (let i = 1; i <= 5; i++) await deposit(events, i);
    const { lines, logger } = recordingLogger();
    const changes: ProjectionStateChange[] = [];
    events.down = true;
    const runner = createProjectionRunner({
      eventStore: events, readModelStore: readModels, registry: ledger, projections: [balances()], batchSize: 2,
      retry: quickRetry, logger, onStateChange: (change) => void changes.push(change),
    });
    await runner.start();
    await expect.poll(() => changes.some((c) => c.to === 'retrying')).toBe(true);
    const retrying = changes.find((c) => c.to === 'retrying')!.lifecycle;
    expect(retrying).toMatchObject({ state: 'retrying', attempt: 1, error: { message: 'Connection terminated unexpectedly' } });
    expect(lines.some((l) => l.level === 'warn' && /balances_v1 is retrying.*Connection terminated/.test(l.message))).toBe(true);
    // Several attempts fail in a row while the store stays away; the status says why and when the next one is due.
    await expect.poll(() => changes.filter((c) => c.to === 'retrying').length).toBeGreaterThan(2);
    const [status] = await runner.status();
    if (status!.state === 'retrying') {
      expect(status!.error?.message).toMatch(/Connection terminated/);
      expect(Date.parse(status!.nextAttemptAt!)).toBeGreaterThan(0);
      expect(status!.lagIs).toBe('unknown');
    }
    events.down = false;
    const head = await deposit(events, 6);
    await runner.waitFor(head.position);
    expect(await readModels.readDocument('balances_v1', 'accounts', 'a')).toEqual({ balance: 21 });
    // And again while live, with a writer appending during the outage.
    events.down = true;
    await deposit(events, 100);
    await expect.poll(async () => (await runner.status())[0]!.state).toBe('retrying');
    events.down = false;
    const last = await deposit(events, 1000);
    await runner.waitFor(last.position);
    expect(await readModels.readDocument('balances_v1', 'accounts', 'a')).toEqual({ balance: 1121 });
    expect((await runner.status())[0]!.state).toBe('live');
    await runner.stop();
  });

  it('retries a batch the read-model store could not commit, applying each event once', async () => {
    const events = new MemoryEventStore();
    const store = new ControlledReadModelStore();
    for (let i = 1; i <= 4; i++) await deposit(events, i);
    const runner = createProjectionRunner({ eventStore: events, readModelStore: store, registry: ledger, projections: [balances(), notes], batchSize: 2, retry: quickRetry });
    store.failCommits = 3;
    await runner.start();
    const last = await append(events, 'n-1', 'Noted', { text: 'after the outage' });
    await runner.waitFor(last.position);
    expect(store.failCommits).toBe(0);
    expect(await store.readDocument('balances_v1', 'accounts', 'a')).toEqual({ balance: 10 });
    expect(await store.readDocument('notes_v1', 'log', 'all')).toEqual({ texts: ['after the outage'] });
    await runner.stop();
  });

  for (const deadLetters of ['stop', 'record'] as const) {
    it(`retries an event whose handler could not read its document from the store, not poison (deadLetters: ${deadLetters})`, async () => {
      const events = new MemoryEventStore();
      const store = new ControlledReadModelStore();
      for (let i = 1; i <= 4; i++) await deposit(events, i);
      const changes: ProjectionStateChange[] = [];
      const runner = createProjectionRunner({
        eventStore: events, readModelStore: store, registry: ledger, projections: [balances()], batchSize: 2, deadLetters, retry: quickRetry,
        onStateChange: (change) => void changes.push(change),
      });
      // The first event's update must read the account: the store's connection is gone for that read and the next.
      store.failReads = 2;
      await runner.start();
      const last = await deposit(events, 5);
      await runner.waitFor(last.position);
      expect(store.failReads).toBe(0);
      expect(changes.filter((c) => c.to === 'retrying').map((c) => (c.lifecycle as { error: Error }).error.message)).toContain('Connection terminated unexpectedly');
      expect(changes.some((c) => c.to === 'failed')).toBe(false);
      expect(await store.listDeadLetters('balances_v1')).toEqual([]);
      expect(await store.readDocument('balances_v1', 'accounts', 'a')).toEqual({ balance: 15 });
      await runner.stop();
    });
  }

  it('retries a projection whose lease cannot be taken because the store is unreachable, instead of failing it', async () => {
    const events = new MemoryEventStore();
    const store = new ControlledReadModelStore();
    const head = await deposit(events, 7);
    store.failLeases = 4;
    const runner = createProjectionRunner({ eventStore: events, readModelStore: store, registry: ledger, projections: [balances()], retry: quickRetry, leaseRetryMs: 10 });
    await runner.start();
    await runner.waitFor(head.position);
    expect(store.failLeases).toBe(0);
    expect((await runner.status())[0]!.state).toBe('live');
    await runner.stop();
  });

  it('stands a projection by, not fails it, when its lease is lost while a batch commits', async () => {
    const events = new MemoryEventStore();
    const store = new ControlledReadModelStore();
    const first = await deposit(events, 1);
    const runner = createProjectionRunner({ eventStore: events, readModelStore: store, registry: ledger, projections: [balances()], retry: quickRetry, leaseRetryMs: 10 });
    await runner.start();
    await runner.waitFor(first.position);
    let open!: () => void;
    store.commitGate = new Promise<void>((resolve) => (open = resolve));
    store.refuseLeases.add('balances_v1');
    const commitsBefore = store.commits.length;
    await deposit(events, 2);
    await new Promise((resolve) => setTimeout(resolve, 20));
    store.loseLease('balances_v1');
    open();
    store.commitGate = undefined;
    await expect.poll(async () => (await runner.status())[0]!.state).toBe('standby');
    expect(store.commits.length).toBe(commitsBefore);
    store.refuseLeases.delete('balances_v1');
    const last = await deposit(events, 4);
    await runner.waitFor(last.position);
    expect(await store.readDocument('balances_v1', 'accounts', 'a')).toEqual({ balance: 7 });
    await runner.stop();
  });

  it('gives up after retry.maxAttempts faults in a row, naming the last fault', async () => {
    const events = new FlakyEventStore(new MemoryEventStore());
    await deposit(events, 1);
    events.down = true;
    const runner = createProjectionRunner({ eventStore: events, readModelStore: new MemoryReadModelStore(), registry: ledger, projections: [balances()], retry: { ...quickRetry, maxAttempts: 2 } });
    await runner.start();
    await expect.poll(async () => (await runner.status())[0]!.state).toBe('failed');
    expect((await runner.status())[0]!.error?.message).toMatch(/gave up after 2 attempts in a row.*Connection terminated/);
    await runner.stop();
  });
});

describe('versions reconciled on start', () => {
  it('builds a deployed newer version beside the active one and switches readers once it has caught up', async () => {
    const events = new MemoryEventStore();
    const store = new MemoryReadModelStore();
    const reader = createReadModelReader(store);
    for (let i = 1; i <= 3; i++) await deposit(events, i);
    const v1 = createProjectionRunner({ eventStore: events, readModelStore: store, registry: ledger, projections: [balances(1)] });
    await v1.start();
    await v1.waitFor((await events.headPosition())!);
    await v1.stop();
    expect(await reader.get('balances', 'accounts', 'a')).toEqual({ balance: 6 });
    const head = await deposit(events, 4);
    // The process restarts with v2: no special call.
    const v2 = createProjectionRunner({ eventStore: events, readModelStore: store, registry: ledger, projections: [balances(2)] });
    await v2.start();
    await v2.waitFor(head.position);
    expect(await store.activeVersion('balances')).toBe(2);
    expect(await reader.get('balances', 'accounts', 'a')).toEqual({ balance: 20 });
    expect((await v2.status())[0]).toMatchObject({ version: 2, role: 'serving', state: 'live' });
    await v2.stop();
  });

  it('refuses a version older than the active one, or keeps it on standby when told to', async () => {
    const events = new MemoryEventStore();
    const store = new MemoryReadModelStore();
    const head = await deposit(events, 5);
    await store.activate('balances', 3);
    const old = createProjectionRunner({ eventStore: events, readModelStore: store, registry: ledger, projections: [balances(2), notes] });
    const refused = await old.start().then(() => undefined, (error: unknown) => error);
    expect(refused).toBeInstanceOf(ProjectionVersionError);
    expect((refused as Error).message).toMatch(/"balances" v2 is older than its active version v3.*olderVersion: 'standby'/);
    expect(await store.loadCheckpoint('notes_v1')).toBeUndefined();

    const standby = createProjectionRunner({ eventStore: events, readModelStore: store, registry: ledger, projections: [balances(2), notes], olderVersion: 'standby' });
    await standby.start();
    await standby.waitFor(head.position);
    expect((await standby.status()).map((s) => [s.namespace, s.state, s.standbyReason])).toEqual([
      ['balances_v2', 'standby', 'superseded'],
      ['notes_v1', 'live', undefined],
    ]);
    expect(await store.loadCheckpoint('balances_v2')).toBeUndefined();
    await standby.stop();
  });

  it('lets two processes on different versions of a rolling deploy hand over without fighting', async () => {
    const events = new MemoryEventStore();
    const store = new MemoryReadModelStore();
    const reader = createReadModelReader(store);
    await deposit(events, 1);
    const oldProcess = createProjectionRunner({ eventStore: events, readModelStore: store, registry: ledger, projections: [balances(1)], leaseRetryMs: 10 });
    await oldProcess.start();
    await oldProcess.waitFor((await events.headPosition())!);
    const newProcess = createProjectionRunner({ eventStore: events, readModelStore: store, registry: ledger, projections: [balances(2)], leaseRetryMs: 10 });
    await newProcess.start();
    const head = await deposit(events, 2);
    await newProcess.waitFor(head.position);
    expect(await reader.get('balances', 'accounts', 'a')).toEqual({ balance: 6 });
    // The old process notices the newer active version and stops writing its own.
    await expect.poll(async () => (await oldProcess.status())[0]).toMatchObject({ state: 'standby', standbyReason: 'superseded' });
    const v1Checkpoint = await store.loadCheckpoint('balances_v1');
    const more = await deposit(events, 3);
    await newProcess.waitFor(more.position);
    await oldProcess.waitFor(more.position);
    expect(await store.loadCheckpoint('balances_v1')).toEqual(v1Checkpoint);
    expect(await store.activeVersion('balances')).toBe(2);
    expect(await reader.get('balances', 'accounts', 'a')).toEqual({ balance: 12 });
    await Promise.all([oldProcess.stop(), newProcess.stop()]);
  });
});

describe('one read of the log', () => {
  it('merges the lanes of a rebuilt projection back into one subscription once both reached the head', async () => {
    const events = new FlakyEventStore(new MemoryEventStore());
    for (let i = 1; i <= 20; i++) await deposit(events, i);
    await append(events, 'n-1', 'Noted', { text: 'one' });
    const runner = createProjectionRunner({ eventStore: events, readModelStore: new MemoryReadModelStore(), registry: ledger, projections: [balances(), notes], batchSize: 5, leaseRetryMs: 10 });
    await runner.start();
    await runner.waitFor((await events.headPosition())!);
    expect(events.open).toBe(1);
    await runner.rebuild('notes');
    await runner.waitFor((await events.headPosition())!);
    await expect.poll(() => events.open).toBe(1);
    events.delivered.clear();
    const last = await append(events, 'n-2', 'Noted', { text: 'two' });
    await deposit(events, 1);
    await runner.waitFor(last.position);
    await expect.poll(() => events.delivered.size).toBe(2);
    // Each new event was read once, by the one subscription both projections share.
    expect([...events.delivered.values()]).toEqual([1, 1]);
    expect(events.open).toBe(1);
    await runner.stop();
    expect(events.open).toBe(0);
  });
});

describe('unreadable rows', () => {
  it('are poison only for the projections that handle their type; the others go on', async () => {
    const events = new FlakyEventStore(new MemoryEventStore());
    await deposit(events, 1);
    const broken = await append(events, 'n-1', 'Noted', { text: 'broken' });
    await deposit(events, 2);
    events.unreadable.add(`${broken.position.prepare}`);
    const runner = createProjectionRunner({ eventStore: events, readModelStore: new MemoryReadModelStore(), registry: ledger, projections: [balances(), notes] });
    await runner.start();
    await expect.poll(async () => (await runner.status()).map((s) => s.state)).toEqual(['live', 'failed']);
    const error = (await runner.status())[1]!.error as ProjectionFailedError;
    expect(error).toBeInstanceOf(ProjectionFailedError);
    expect(error).toMatchObject({ projection: 'notes', eventType: 'Noted', streamId: 'n-1', position: broken.position });
    expect(error.message).toMatch(/unreadable/);
    await runner.stop();
  });

  it('are recorded as dead letters under deadLetters: record, and replayed by reading the row again', async () => {
    const events = new FlakyEventStore(new MemoryEventStore());
    const store = new MemoryReadModelStore();
    const broken = await append(events, 'n-1', 'Noted', { text: 'repaired' });
    const after = await append(events, 'n-2', 'Noted', { text: 'after' });
    events.unreadable.add(`${broken.position.prepare}`);
    const runner = createProjectionRunner({ eventStore: events, readModelStore: store, registry: ledger, projections: [notes], deadLetters: 'record' });
    await runner.start();
    await runner.waitFor(after.position);
    const [letter] = await runner.deadLetters('notes');
    expect(letter).toMatchObject({ errorCode: 'CORRUPT_EVENT', event: { streamId: 'n-1', type: 'Noted', position: broken.position, data: null, metadata: null } });
    expect(await store.readDocument('notes_v1', 'log', 'all')).toEqual({ texts: ['after'] });
    // The row is repaired (here: the wrapper stops corrupting it); a replay reads it from the event store again.
    events.unreadable.clear();
    expect(await runner.replayDeadLetters('notes')).toEqual({ replayed: 1, remaining: 0 });
    expect(await store.readDocument('notes_v1', 'log', 'all')).toEqual({ texts: ['after', 'repaired'] });
    await runner.stop();
  });

  it('read the log unfiltered when the projections handle every registered type, and count unknown types either way', async () => {
    const events = new MemoryEventStore();
    await deposit(events, 1);
    await append(events, 'n-1', 'Noted', { text: 'hello' });
    const last = await append(events, 'x-1', 'Mystery', { what: 1 });
    for (const [projections, filtered] of [[[balances(), notes], false], [[notes], true]] as const) {
      const filters: unknown[] = [];
      const watched: EventStore = Object.assign(Object.create(events) as EventStore, {
        subscribe: (options: Parameters<EventStore['subscribe']>[0]) => {
          filters.push(options?.filter);
          return events.subscribe(options);
        },
      });
      const runner = createProjectionRunner({ eventStore: watched, readModelStore: new MemoryReadModelStore(), registry: ledger, projections: [...projections] });
      await runner.start();
      await runner.waitFor(last.position);
      // Every registered type handled: "these types, or any the registry does not know" is every type.
      expect(filters).toEqual([filtered ? { eventTypes: ['Noted'], orTypesNotIn: ledger.types } : undefined]);
      for (const status of await runner.status()) expect(status.unregisteredTypes).toEqual({ Mystery: 1 });
      await runner.stop();
    }
  });

  it('count events of types the registry does not know, per type, in status', async () => {
    const events = new MemoryEventStore();
    await deposit(events, 1);
    await append(events, 'x-1', 'Mystery', { what: 1 });
    await append(events, 'x-1', 'Mystery', { what: 2 });
    const last = await append(events, 'x-2', 'Riddle', {});
    const runner = createProjectionRunner({ eventStore: events, readModelStore: new MemoryReadModelStore(), registry: ledger, projections: [balances(), notes] });
    await runner.start();
    await runner.waitFor(last.position);
    for (const status of await runner.status()) expect(status.unregisteredTypes).toEqual({ Mystery: 2, Riddle: 1 });
    await runner.stop();
  });
});
