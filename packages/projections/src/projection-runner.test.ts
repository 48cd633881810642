import { describe, expect, it } from 'vitest';
import * as t from 'io-ts';
import { createEventRegistry, defineEvent, newEventId, sequencePosition, type EventStore } from '@clusterconf/domain';
import { MemoryEventStore } from '@clusterconf/adapters/memory';
import { CheckpointConflictError } from './checkpoint-fence.js';
import { MemoryReadModelStore } from './memory/index.js';
import { defineProjection } from './projection.js';
import { createProjectionRunner } from './projection-runner.js';
import { ProjectionFailedError, WaitForPositionError } from './errors.js';
import { freezeDocumentsByDefault } from './unit-of-work.js';
import { ControlledReadModelStore } from './controlled-store.test-helper.js';

const ledger = createEventRegistry([
  defineEvent('Deposited', t.type({ account: t.string, amount: t.number })),
  defineEvent('Withdrawn', t.type({ account: t.string, amount: t.number })),
  defineEvent('Noted', t.type({ text: t.string })),
]);

const balances = (version = 1, { failOn }: { failOn?: number } = {}) =>
  defineProjection(ledger, {
    name: 'balances',
    version,
    handlers: {
      Deposited: async (event, ops) => {
        const current = await ops.get<{ balance: number }>('accounts', event.data.account);
        await ops.upsert('accounts', event.data.account, { balance: (current?.balance ?? 0) + event.data.amount * version });
        if (event.data.amount === failOn) throw new Error(`refusing amount ${failOn}`);
      },
      Withdrawn: async (event, ops) => {
        await ops.patch('accounts', event.data.account, { balance: -event.data.amount });
      },
    },
  });

const notes = defineProjection(ledger, {
  name: 'notes',
  version: 1,
  handlers: {
    Noted: async (event, ops) => {
      const current = await ops.get<{ texts: string[] }>('log', 'all');
      await ops.upsert('log', 'all', { texts: [...(current?.texts ?? []), event.data.text] });
    },
  },
});

const meta = () => ({ eventId: newEventId(), occurredAt: '2020-11-23T09:00:00.000Z', correlationId: 'c', causationId: 'c', schemaVersion: 1 });
const append = (store: EventStore, stream: string, type: string, data: unknown) =>
  store.appendToStream(stream, [{ type, data, metadata: meta() }]);

describe('the projection runner', () => {
  it('refuses a projection copied with another version, which would write into the old version\'s namespace', async () => {
    const copied = { ...balances(1), version: 2 };
    const options = { eventStore: new MemoryEventStore(), readModelStore: new MemoryReadModelStore(), registry: ledger };
    expect(() => createProjectionRunner({ ...options, projections: [copied] })).toThrow(/namespace "balances_v1" instead of "balances_v2".*defineProjection/);
    const runner = createProjectionRunner({ ...options, projections: [balances(1)] });
    await runner.start();
    await expect(runner.startBlueGreen(copied)).rejects.toThrow(/instead of "balances_v2"/);
    await runner.stop();
  });

  it('serves several projections from one subscription, commits checkpoints and activates the first version', async () => {
    const events = new MemoryEventStore();
    const readModels = new MemoryReadModelStore();
    await append(events, 'acc-a', 'Deposited', { account: 'a', amount: 10 });
    await append(events, 'n-1', 'Noted', { text: 'hello' });
    const { position } = await append(events, 'acc-b', 'Deposited', { account: 'b', amount: 5 });
    const runner = createProjectionRunner({ eventStore: events, readModelStore: readModels, registry: ledger, projections: [balances(), notes], batchSize: 2 });
    await runner.start();
    await runner.waitFor(position);
    expect(await readModels.readDocument('balances_v1', 'accounts', 'a')).toEqual({ balance: 10 });
    expect(await readModels.readDocument('notes_v1', 'log', 'all')).toEqual({ texts: ['hello'] });
    // Both checkpoints reach the head, also the one whose last event it did not handle.
    expect(await readModels.loadCheckpoint('notes_v1')).toEqual(position);
    expect(await readModels.activeVersion('balances')).toBe(1);

    const live = await append(events, 'n-2', 'Noted', { text: 'live' });
    await runner.waitFor(live.position);
    expect(await readModels.readDocument('notes_v1', 'log', 'all')).toEqual({ texts: ['hello', 'live'] });
    const status = await runner.status();
    expect(status.map((s) => [s.name, s.state, s.lag, s.position])).toEqual([
      ['balances', 'live', 0, live.position],
      ['notes', 'live', 0, live.position],
    ]);
    await runner.stop();
    expect((await runner.status()).map((s) => s.state)).toEqual(['stopped', 'stopped']);
  });

  it('resumes from its checkpoint without applying an event twice', async () => {
    const events = new MemoryEventStore();
    const readModels = new MemoryReadModelStore();
    const first = await append(events, 'acc-a', 'Deposited', { account: 'a', amount: 10 });
    const runner = createProjectionRunner({ eventStore: events, readModelStore: readModels, registry: ledger, projections: [balances()] });
    await runner.start();
    await runner.waitFor(first.position);
    await runner.stop();
    const second = await append(events, 'acc-a', 'Deposited', { account: 'a', amount: 1 });
    const again = createProjectionRunner({ eventStore: events, readModelStore: readModels, registry: ledger, projections: [balances()] });
    await again.start();
    await again.waitFor(second.position);
    await again.stop();
    expect(await readModels.readDocument('balances_v1', 'accounts', 'a')).toEqual({ balance: 11 });
  });

  it('serves projections whose checkpoints differ from one subscription, each applying only what it has not', async () => {
    const events = new MemoryEventStore();
    const readModels = new MemoryReadModelStore();
    await append(events, 'acc-a', 'Deposited', { account: 'a', amount: 1 });
    await append(events, 'n-1', 'Noted', { text: 'one' });
    const early = await append(events, 'acc-a', 'Deposited', { account: 'a', amount: 10 });
    // Only `balances` ran so far: it is ahead of `notes`, which has never run.
    const first = createProjectionRunner({ eventStore: events, readModelStore: readModels, registry: ledger, projections: [balances()] });
    await first.start();
    await first.waitFor(early.position);
    await first.stop();
    await append(events, 'n-2', 'Noted', { text: 'two' });
    const last = await append(events, 'acc-a', 'Deposited', { account: 'a', amount: 100 });
    const both = createProjectionRunner({ eventStore: events, readModelStore: readModels, registry: ledger, projections: [balances(), notes], batchSize: 1 });
    await both.start();
    await both.waitFor(last.position);
    await both.stop();
    expect(await readModels.readDocument('balances_v1', 'accounts', 'a')).toEqual({ balance: 111 });
    expect(await readModels.readDocument('notes_v1', 'log', 'all')).toEqual({ texts: ['one', 'two'] });
    expect(await readModels.loadCheckpoint('balances_v1')).toEqual(last.position);
    expect(await readModels.loadCheckpoint('notes_v1')).toEqual(last.position);
  });

  it('stops a projection at a poison event with an error naming projection, position, type and cause', async () => {
    const events = new MemoryEventStore();
    const readModels = new MemoryReadModelStore();
    const good = await append(events, 'acc-a', 'Deposited', { account: 'a', amount: 10 });
    const bad = await append(events, 'acc-a', 'Deposited', { account: 'a', amount: 13 });
    const after = await append(events, 'n-1', 'Noted', { text: 'still served' });
    const runner = createProjectionRunner({ eventStore: events, readModelStore: readModels, registry: ledger, projections: [balances(1, { failOn: 13 }), notes] });
    await runner.start();
    const failure = await runner.waitFor(after.position).then(() => undefined, (error: unknown) => error);
    expect(failure).toBeInstanceOf(WaitForPositionError);
    const [balanceStatus, notesStatus] = await runner.status();
    expect(balanceStatus!.state).toBe('failed');
    const error = balanceStatus!.error as ProjectionFailedError;
    expect(error).toBeInstanceOf(ProjectionFailedError);
    expect(error).toMatchObject({ code: 'PROJECTION_FAILED', projection: 'balances', position: bad.position, eventType: 'Deposited' });
    expect(error.message).toContain('refusing amount 13');
    expect(error.message).toContain(`position ${bad.position.commit}`);
    // The good events before it are committed, the poison event's partial writes are not, and the checkpoint stops before it.
    expect(await readModels.readDocument('balances_v1', 'accounts', 'a')).toEqual({ balance: 10 });
    expect(await readModels.loadCheckpoint('balances_v1')).toEqual(good.position);
    // The other projection carries on.
    await expect.poll(async () => readModels.readDocument('notes_v1', 'log', 'all')).toEqual({ texts: ['still served'] });
    expect(notesStatus!.name).toBe('notes');
    await runner.stop();
  });

  it('ends the subscription once every projection it serves has failed', async () => {
    const events = new MemoryEventStore();
    let open = 0;
    const counting: EventStore = {
      appendToStream: (...args) => events.appendToStream(...args),
      readStream: (...args) => events.readStream(...args),
      readAll: (...args) => events.readAll(...args),
      headPosition: () => events.headPosition(),
      progressAfter: (after) => events.progressAfter(after),
      close: () => events.close(),
      subscribe: (options) => {
        const subscription = events.subscribe(options);
        open++;
        const close = subscription.close.bind(subscription);
        return Object.assign(subscription, { close: () => { open--; return close(); } });
      },
    };
    await append(events, 'acc-a', 'Deposited', { account: 'a', amount: 13 });
    await append(events, 'acc-a', 'Deposited', { account: 'a', amount: 1 });
    const runner = createProjectionRunner({ eventStore: counting, readModelStore: new MemoryReadModelStore(), registry: ledger, projections: [balances(1, { failOn: 13 })], batchSize: 1 });
    await runner.start();
    await expect.poll(async () => (await runner.status())[0]!.state).toBe('failed');
    // Nothing is left to serve: the lane stops reading instead of following the log for nobody.
    await expect.poll(() => open).toBe(0);
    await runner.stop();
  });

  it('runs synchronous handlers built on update beside async ones, and treats a synchronous throw as a poison event', async () => {
    // Sync, async and sync again, so the lane goes asynchronous in the middle of an event and comes back.
    const counter = (name: string) =>
      defineProjection(ledger, {
        name,
        version: 1,
        handlers: {
          Deposited: (event, ops) => {
            if (event.data.amount === 13) throw new Error(`${name} refuses 13`);
            ops.update<{ total: number }>('totals', event.data.account, (current) => ({ total: (current?.total ?? 0) + event.data.amount }));
          },
        },
      });
    for (const policy of ['stop', 'record'] as const) {
      const events = new MemoryEventStore();
      const readModels = new MemoryReadModelStore();
      const good = await append(events, 'acc-a', 'Deposited', { account: 'a', amount: 10 });
      const bad = await append(events, 'acc-a', 'Deposited', { account: 'a', amount: 13 });
      const last = await append(events, 'acc-a', 'Deposited', { account: 'a', amount: 5 });
      const runner = createProjectionRunner({
        eventStore: events, readModelStore: readModels, registry: ledger, projections: [counter('first'), balances(), counter('third')], deadLetters: policy,
      });
      await runner.start();
      const waited = await runner.waitFor(last.position).then(() => undefined, (error: unknown) => error);
      // waitFor gives up at the first failed projection; the healthy one carries on to the end.
      await expect.poll(async () => readModels.readDocument('balances_v1', 'accounts', 'a')).toEqual({ balance: 28 });
      const status = await runner.status();
      if (policy === 'stop') {
        expect(waited).toBeInstanceOf(WaitForPositionError);
        expect(status.map((s) => s.state)).toEqual(['failed', 'live', 'failed']);
        expect((status[0]!.error as ProjectionFailedError).position).toEqual(bad.position);
        expect(status[2]!.error?.message).toContain('third refuses 13');
        expect(await readModels.readDocument('first_v1', 'totals', 'a')).toEqual({ total: 10 });
        expect(await readModels.loadCheckpoint('third_v1')).toEqual(good.position);
      } else {
        expect(waited).toBeUndefined();
        expect(await readModels.readDocument('first_v1', 'totals', 'a')).toEqual({ total: 15 });
        expect(await readModels.readDocument('third_v1', 'totals', 'a')).toEqual({ total: 15 });
        expect((await runner.deadLetters('third')).map((l) => [l.event.position, l.errorMessage])).toEqual([[bad.position, 'third refuses 13']]);
      }
      await runner.stop();
    }
  });

  it('applies an update within its own event also when the document must be read first, and a get after it sees it', async () => {
    const add = (event: { data: { amount: number } }) => (current: { total: number } | undefined) => ({ total: (current?.total ?? 0) + event.data.amount });
    const sloppy = defineProjection(ledger, {
      name: 'sloppy',
      version: 1,
      handlers: {
        // Synchronous, with nothing to wait for: the runner waits for the update's read all the same.
        Deposited: (event, ops) => {
          ops.update<{ total: number }>('totals', event.data.account, add(event));
        },
      },
    });
    const echo = defineProjection(ledger, {
      name: 'echo',
      version: 1,
      handlers: {
        // Reads the document it just updated, in the same event: it sees the update, not the document as stored.
        Deposited: async (event, ops) => {
          ops.update<{ total: number }>('totals', event.data.account, add(event));
          const seen = await ops.get<{ total: number }>('totals', event.data.account);
          await ops.upsert('seen', String(event.position.prepare), { total: seen?.total ?? null });
        },
      },
    });
    const events = new MemoryEventStore();
    const readModels = new MemoryReadModelStore();
    const first = await append(events, 'acc-a', 'Deposited', { account: 'a', amount: 1 });
    const runner = createProjectionRunner({ eventStore: events, readModelStore: readModels, registry: ledger, projections: [sloppy, echo] });
    await runner.start();
    await runner.waitFor(first.position);
    await runner.stop();
    // A new runner starts with a cold cache, and every read of the store now takes a while.
    const readDocument = readModels.readDocument.bind(readModels);
    readModels.readDocument = async (...args) => {
      await new Promise((resolve) => setTimeout(resolve, 10));
      return readDocument(...args);
    };
    await append(events, 'acc-a', 'Deposited', { account: 'a', amount: 10 });
    const last = await append(events, 'acc-a', 'Deposited', { account: 'a', amount: 100 });
    const again = createProjectionRunner({ eventStore: events, readModelStore: readModels, registry: ledger, projections: [sloppy, echo], batchSize: 1 });
    await again.start();
    await again.waitFor(last.position);
    await again.stop();
    expect(await readModels.readDocument('sloppy_v1', 'totals', 'a')).toEqual({ total: 111 });
    expect(await readModels.readDocument('echo_v1', 'totals', 'a')).toEqual({ total: 111 });
    expect((await readModels.listDocuments('echo_v1', 'seen')).map((d) => d.document)).toEqual([{ total: 1 }, { total: 11 }, { total: 111 }]);
  });

  it('takes back a mutate handler that failed half-way through its draft, in both policies, inside one batch', async () => {
    const history = defineProjection(ledger, {
      name: 'history',
      version: 1,
      handlers: {
        Deposited: (event, ops) =>
          ops.mutate<{ total: number; amounts: number[] }>('accounts', event.data.account, () => ({ total: 0, amounts: [] }), (draft) => {
            draft.amounts.push(event.data.amount);
            if (event.data.amount === 13) throw new Error('refusing 13 after writing it');
            draft.total += event.data.amount;
          }),
      },
    });
    for (const policy of ['stop', 'record'] as const) {
      const events = new MemoryEventStore();
      const readModels = new MemoryReadModelStore();
      // More events before the bad one than a draft keeps changes for, so it is taken back from a fresh copy too.
      for (let i = 0; i < 70; i++) await append(events, 'acc-a', 'Deposited', { account: 'a', amount: 1 });
      const bad = await append(events, 'acc-a', 'Deposited', { account: 'a', amount: 13 });
      const last = await append(events, 'acc-a', 'Deposited', { account: 'a', amount: 5 });
      const runner = createProjectionRunner({ eventStore: events, readModelStore: readModels, registry: ledger, projections: [history], deadLetters: policy, batchSize: 500 });
      await runner.start();
      const waited = await runner.waitFor(last.position).then(() => undefined, (error: unknown) => error);
      const ones = Array.from({ length: 70 }, () => 1);
      if (policy === 'stop') {
        expect(waited).toBeInstanceOf(WaitForPositionError);
        expect(((await runner.status())[0]!.error as ProjectionFailedError).position).toEqual(bad.position);
        // The batch up to the poison event was committed, without any of its change.
        expect(await readModels.readDocument('history_v1', 'accounts', 'a')).toEqual({ total: 70, amounts: ones });
      } else {
        expect(waited).toBeUndefined();
        expect(await readModels.readDocument('history_v1', 'accounts', 'a')).toEqual({ total: 75, amounts: [...ones, 5] });
        expect((await runner.deadLetters('history')).map((l) => l.event.position)).toEqual([bad.position]);
      }
      await runner.stop();
    }
  });

  it('records poison events as dead letters, goes on, and replays them once they succeed', async () => {
    const events = new MemoryEventStore();
    const readModels = new MemoryReadModelStore();
    // Withdrawn patches an account that does not exist yet: a handler error.
    const early = await append(events, 'acc-z', 'Withdrawn', { account: 'z', amount: 3 });
    await events.appendToStream('acc-y', [{ type: 'Deposited', data: { account: 'y', amount: 'many' }, metadata: meta() }]);
    const last = await append(events, 'acc-z', 'Deposited', { account: 'z', amount: 7 });
    const runner = createProjectionRunner({
      eventStore: events,
      readModelStore: readModels,
      registry: ledger,
      projections: [balances()],
      deadLetters: 'record',
      clock: () => new Date('2020-11-23T10:00:00.000Z'),
    });
    await runner.start();
    await runner.waitFor(last.position);
    const letters = await runner.deadLetters('balances');
    expect(letters.map((l) => [l.event.type, l.errorCode, l.recordedAt])).toEqual([
      ['Withdrawn', 'DOCUMENT_NOT_FOUND', '2020-11-23T10:00:00.000Z'],
      ['Deposited', 'EVENT_DECODE_FAILED', '2020-11-23T10:00:00.000Z'],
    ]);
    expect(letters[0]!.errorMessage).toContain('document "z" in collection "accounts"');
    expect(letters[0]!.event.position).toEqual(early.position);
    expect((await runner.status())[0]).toMatchObject({ state: 'live', deadLettersRecorded: 2, position: last.position });
    expect(await readModels.readDocument('balances_v1', 'accounts', 'z')).toEqual({ balance: 7 });

    // Now account z exists, so the withdrawal applies; the undecodable deposit stays a dead letter.
    expect(await runner.replayDeadLetters('balances')).toEqual({ replayed: 1, remaining: 1 });
    expect(await readModels.readDocument('balances_v1', 'accounts', 'z')).toEqual({ balance: -3 });
    expect((await runner.deadLetters('balances')).map((l) => l.event.type)).toEqual(['Deposited']);
    await runner.stop();
  });

  it('rebuilds a projection from position zero', async () => {
    const events = new MemoryEventStore();
    const readModels = new MemoryReadModelStore();
    const { position } = await append(events, 'acc-a', 'Deposited', { account: 'a', amount: 4 });
    const runner = createProjectionRunner({ eventStore: events, readModelStore: readModels, registry: ledger, projections: [balances()] });
    await runner.start();
    await runner.waitFor(position);
    // Simulate a read model that drifted, then rebuild it.
    await readModels.commitBatch({
      namespace: 'balances_v1',
      changes: [{ kind: 'upsert', collection: 'accounts', id: 'ghost', document: { balance: 99 } }],
      statements: [],
      deadLetters: [],
      removeDeadLetters: [],
      checkpoint: undefined,
      expectedCheckpoint: position,
    });
    await runner.rebuild('balances');
    await runner.waitFor(position);
    expect(await readModels.listDocuments('balances_v1', 'accounts')).toEqual([{ id: 'a', document: { balance: 4 } }]);
    await runner.stop();
  });

  it('builds a new version blue/green and switches readers only once it is caught up', async () => {
    const events = new MemoryEventStore();
    const readModels = new MemoryReadModelStore();
    for (let i = 0; i < 20; i++) await append(events, `acc-${i % 3}`, 'Deposited', { account: `a${i % 3}`, amount: 1 });
    const head = (await events.headPosition())!;
    const runner = createProjectionRunner({ eventStore: events, readModelStore: readModels, registry: ledger, projections: [balances(1)], batchSize: 4 });
    await runner.start();
    await runner.waitFor(head);

    // While v2 builds batch by batch, the active pointer stays on the complete v1.
    const observed: number[] = [];
    const original = readModels.commitBatch.bind(readModels);
    readModels.commitBatch = async (batch) => {
      observed.push((await readModels.activeVersion('balances'))!);
      return original(batch);
    };
    await runner.startBlueGreen(balances(2));
    expect(observed.length).toBeGreaterThan(2);
    expect(new Set(observed)).toEqual(new Set([1]));
    expect(await readModels.activeVersion('balances')).toBe(2);
    expect(await readModels.readDocument('balances_v2', 'accounts', 'a0')).toEqual({ balance: 14 });
    const status = await runner.status();
    expect(status.map((s) => [s.version, s.role])).toEqual([[2, 'serving']]);

    // The new version serves live events from now on.
    const live = await append(events, 'acc-0', 'Deposited', { account: 'a0', amount: 1 });
    await runner.waitFor(live.position);
    expect(await readModels.readDocument('balances_v2', 'accounts', 'a0')).toEqual({ balance: 16 });
    await runner.stop();
  });

  it('keeps a second runner on standby until the first releases the namespace', async () => {
    const events = new MemoryEventStore();
    const readModels = new MemoryReadModelStore();
    const first = await append(events, 'acc-a', 'Deposited', { account: 'a', amount: 1 });
    const one = createProjectionRunner({ eventStore: events, readModelStore: readModels, registry: ledger, projections: [balances()], owner: 'one' });
    const two = createProjectionRunner({ eventStore: events, readModelStore: readModels, registry: ledger, projections: [balances()], owner: 'two', leaseRetryMs: 10 });
    await one.start();
    await two.start();
    expect((await two.status())[0]!.state).toBe('standby');
    await one.waitFor(first.position);
    // The standby runner follows the holder's checkpoint, so waitFor works there too.
    await two.waitFor(first.position);
    await one.stop();
    const second = await append(events, 'acc-a', 'Deposited', { account: 'a', amount: 2 });
    await two.waitFor(second.position);
    expect((await two.status())[0]!.state).toBe('live');
    expect(await readModels.readDocument('balances_v1', 'accounts', 'a')).toEqual({ balance: 3 });
    await two.stop();
  });

  it('resumes from the stored checkpoint when the store refuses a batch because another writer moved it', async () => {
    const events = new MemoryEventStore();
    const readModels = new MemoryReadModelStore();
    for (let i = 0; i < 6; i++) await append(events, 'acc-a', 'Deposited', { account: 'a', amount: 1 });
    const head = (await events.headPosition())!;
    const original = readModels.commitBatch.bind(readModels);
    let conflicts = 0;
    readModels.commitBatch = async (batch) => {
      if (batch.checkpoint !== undefined && batch.checkpoint.prepare === 4n && conflicts === 0) {
        // A writer whose lease lapsed commits the same events first, from the same checkpoint; the store itself then
        // refuses this batch, whose expected checkpoint is no longer the stored one, and writes nothing of it.
        await original({ ...batch, changes: [{ kind: 'upsert', collection: 'accounts', id: 'a', document: { balance: 4 } }] });
        return original(batch).catch((error: unknown) => {
          conflicts++;
          expect(error).toBeInstanceOf(CheckpointConflictError);
          expect(error).toMatchObject({ expected: batch.expectedCheckpoint, actual: batch.checkpoint });
          throw error;
        });
      }
      return original(batch);
    };
    const runner = createProjectionRunner({ eventStore: events, readModelStore: readModels, registry: ledger, projections: [balances()], batchSize: 2 });
    await runner.start();
    await runner.waitFor(head);
    expect(conflicts).toBe(1);
    await expect.poll(async () => (await runner.status())[0]!.state).toBe('live');
    expect(await readModels.readDocument('balances_v1', 'accounts', 'a')).toEqual({ balance: 6 });
    await runner.stop();
  });

  it('fails only the projection whose batch the store refuses; the others go on', async () => {
    const events = new MemoryEventStore();
    const readModels = new MemoryReadModelStore();
    // A document JSON cannot hold: the store refuses the batch that carries it.
    const unstorable = defineProjection(ledger, { name: 'unstorable', version: 1, handlers: { Noted: (_event, ops) => ops.upsert('log', 'all', { n: 1n } as never) } });
    await append(events, 'acc-a', 'Deposited', { account: 'a', amount: 5 });
    await append(events, 'n-1', 'Noted', { text: 'x' });
    await append(events, 'acc-a', 'Deposited', { account: 'a', amount: 7 });
    const runner = createProjectionRunner({ eventStore: events, readModelStore: readModels, registry: ledger, projections: [balances(), unstorable] });
    await runner.start();
    await expect.poll(async () => (await runner.status()).map((s) => s.state)).toEqual(['live', 'failed']);
    expect((await runner.status())[1]!.error?.message).toMatch(/BigInt/);
    expect(await readModels.readDocument('balances_v1', 'accounts', 'a')).toEqual({ balance: 12 });
    const more = await append(events, 'acc-a', 'Deposited', { account: 'a', amount: 1 });
    await expect.poll(async () => readModels.readDocument('balances_v1', 'accounts', 'a')).toEqual({ balance: 13 });
    expect((await readModels.loadCheckpoint('balances_v1'))).toEqual(more.position);
    await runner.stop();
  });

  it('stops writing a projection the moment its lease is lost, and applies nothing twice once it takes the lease back', async () => {
    const events = new MemoryEventStore();
    const store = new ControlledReadModelStore();
    let open!: () => void;
    const gate = new Promise<void>((resolve) => (open = resolve));
    let held = false;
    // Holds the batch open at the deposit of 13, so the lease can be lost with applied events not yet committed.
    const gated = defineProjection(ledger, {
      name: 'gated',
      version: 1,
      handlers: {
        Deposited: async ({ data }, ops) => {
          if (data.amount === 13 && !held) {
            held = true;
            await gate;
          }
          await ops.update<{ balance: number }>('accounts', data.account, (current) => ({ balance: (current?.balance ?? 0) + data.amount }));
        },
      },
    });
    for (const amount of [1, 13, 2]) await append(events, 'acc-a', 'Deposited', { account: 'a', amount });
    const runner = createProjectionRunner({ eventStore: events, readModelStore: store, registry: ledger, projections: [gated], batchSize: 10, leaseRetryMs: 10 });
    await runner.start();
    await expect.poll(() => held).toBe(true);
    store.refuseLeases.add('gated_v1');
    store.loseLease('gated_v1');
    open();
    await expect.poll(async () => (await runner.status())[0]!.state).toBe('standby');
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(store.commits.filter((batch) => batch.namespace === 'gated_v1')).toEqual([]);
    store.refuseLeases.delete('gated_v1');
    const last = await append(events, 'acc-a', 'Deposited', { account: 'a', amount: 4 });
    await runner.waitFor(last.position);
    expect(await store.readDocument('gated_v1', 'accounts', 'a')).toEqual({ balance: 20 });
    await runner.stop();
  });

  it('does not restart a projection after a checkpoint conflict once its lease is lost, so it never runs twice', async () => {
    const events = new MemoryEventStore();
    const store = new ControlledReadModelStore();
    const first = await append(events, 'acc-a', 'Deposited', { account: 'a', amount: 1 });
    const runner = createProjectionRunner({ eventStore: events, readModelStore: store, registry: ledger, projections: [balances(), notes], batchSize: 1, leaseRetryMs: 10 });
    await runner.start();
    await runner.waitFor(first.position);
    // The next commit of `balances` meets another writer's checkpoint; its restart then waits for its checkpoint...
    store.conflictOnce.add('balances_v1');
    const release = store.holdLoads('balances_v1');
    await append(events, 'acc-a', 'Deposited', { account: 'a', amount: 2 });
    await expect.poll(() => store.conflictOnce.size).toBe(0);
    // ...while its lease is lost, then taken back: only the takeover may run it.
    store.refuseLeases.add('balances_v1');
    store.loseLease('balances_v1');
    await expect.poll(async () => (await runner.status())[0]!.state).toBe('standby');
    release();
    store.refuseLeases.delete('balances_v1');
    await expect.poll(async () => (await runner.status())[0]!.state).toBe('live');
    const noted = await append(events, 'n-1', 'Noted', { text: 'still served' });
    const last = await append(events, 'acc-a', 'Deposited', { account: 'a', amount: 4 });
    await runner.waitFor(last.position);
    expect(await store.readDocument('balances_v1', 'accounts', 'a')).toEqual({ balance: 7 });
    expect(await store.readDocument('notes_v1', 'log', 'all')).toEqual({ texts: ['still served'] });
    expect(noted.position).toBeDefined();
    await runner.stop();
  });

  it('runs two rebuilds of one projection one after the other, never two lanes at once', async () => {
    const events = new MemoryEventStore();
    const readModels = new MemoryReadModelStore();
    for (const amount of [1, 2, 3]) await append(events, 'acc-a', 'Deposited', { account: 'a', amount });
    const runner = createProjectionRunner({ eventStore: events, readModelStore: readModels, registry: ledger, projections: [balances()], batchSize: 1 });
    await runner.start();
    await runner.waitFor((await events.headPosition())!);
    await Promise.all([runner.rebuild('balances'), runner.rebuild('balances')]);
    const last = await append(events, 'acc-a', 'Deposited', { account: 'a', amount: 100 });
    await runner.waitFor(last.position);
    expect(await readModels.readDocument('balances_v1', 'accounts', 'a')).toEqual({ balance: 106 });
    await runner.stop();
  });

  it('rejects waitFor on timeout, naming the projections behind', async () => {
    const events = new MemoryEventStore();
    const runner = createProjectionRunner({ eventStore: events, readModelStore: new MemoryReadModelStore(), registry: ledger, projections: [notes] });
    await runner.start();
    await expect(runner.waitFor(sequencePosition(5n), { timeoutMs: 20 })).rejects.toThrow(/timed out after 20 ms with notes_v1 live at the start/);
    await runner.stop();
    await expect(runner.waitFor(sequencePosition(5n))).rejects.toThrow(/stopped/);
  });

  it('freezes documents outside production by default, so a handler mutating a read document stops as a poison event', async () => {
    expect(freezeDocumentsByDefault({ NODE_ENV: 'test' })).toBe(true);
    expect(freezeDocumentsByDefault({})).toBe(true);
    expect(freezeDocumentsByDefault({ NODE_ENV: 'production' })).toBe(false);
    const mutating = defineProjection(ledger, {
      name: 'mutating',
      version: 1,
      handlers: {
        Noted: async (event, ops) => {
          const current = await ops.get<{ texts: string[] }>('log', 'all');
          if (current === undefined) return ops.upsert('log', 'all', { texts: [event.data.text] });
          current.texts.push(event.data.text);
          await ops.upsert('log', 'all', current);
        },
      },
    });
    const events = new MemoryEventStore();
    await append(events, 'n-1', 'Noted', { text: 'first' });
    const { position } = await append(events, 'n-2', 'Noted', { text: 'second' });
    const readModels = new MemoryReadModelStore();
    const runner = createProjectionRunner({ eventStore: events, readModelStore: readModels, registry: ledger, projections: [mutating], batchSize: 10 });
    await runner.start();
    await expect(runner.waitFor(position)).rejects.toThrow(WaitForPositionError);
    const [status] = await runner.status();
    expect(status!.state).toBe('failed');
    expect(status!.error).toBeInstanceOf(ProjectionFailedError);
    expect((status!.error as ProjectionFailedError).cause).toBeInstanceOf(TypeError);
    // The first event's document is committed untouched by the failed mutation.
    expect(await readModels.readDocument('mutating_v1', 'log', 'all')).toEqual({ texts: ['first'] });
    await runner.stop();
  });
});
