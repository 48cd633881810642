import * as E from 'fp-ts/lib/Either.js';
import * as t from 'io-ts';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import {
  commandEventId, createCommandHandler, createEventRegistry, defineEvent, toNewEvents,
  type CommandHandlerOptions, type Decider, type EventStore, type HandledCommand,
} from '@clusterconf/domain';
import { MemoryEventStore } from '@clusterconf/adapters/memory';
import { PostgresEventStore } from '@clusterconf/adapters/postgres';
import { SqliteEventStore } from '@clusterconf/adapters/sqlite';
import { dropSchema, postgresAvailable, postgresUrl, uniqueSchema } from './support/postgres.js';

const Stamped = defineEvent('Stamped', t.type({ ticket: t.number, part: t.number }));
const registry = createEventRegistry([Stamped]);
type Event = { type: 'Stamped'; data: { ticket: number; part: number } };
type State = { readonly stamps: number; readonly tickets: ReadonlySet<number> };
/** Stamps a ticket once, in `parts` events; a ticket stamped before is refused, so deciding a repeat again shows. */
const stamper: Decider<{ ticket: number; parts: number }, State, Event, 'already stamped'> = {
  initialState: { stamps: 0, tickets: new Set() },
  evolve: (state, event) => ({ stamps: state.stamps + 1, tickets: new Set([...state.tickets, event.data.ticket]) }),
  decide: (command, state) =>
    state.tickets.has(command.ticket)
      ? E.left('already stamped')
      : E.right(Array.from({ length: command.parts }, (_, part) => ({ type: 'Stamped' as const, data: { ticket: command.ticket, part } }))),
};
const at = '2020-11-10T09:00:00Z';

const right = <A>(result: E.Either<unknown, A>): A => {
  if (E.isLeft(result)) throw new Error(`expected success, got ${JSON.stringify(result.left)}`);
  return result.right;
};
/** What two handlings of one command must agree on; `attempts` and `repeated` say how each got there. */
const firstResult = ({ events, state, revision, position }: HandledCommand<State, Event>) => ({ events, state, revision, position });

const storedTickets = async (store: EventStore, streamId: string): Promise<string[]> => {
  const stored: string[] = [];
  for await (const event of store.readStream(streamId)) {
    const { ticket, part } = event.data as Event['data'];
    stored.push(`${event.streamRevision}:${ticket}.${part}`);
  }
  return stored;
};

/** Holds every append until `parties` of them are waiting, then lets them all go at once: the closest race there is. */
const racingAppends = (store: EventStore, parties: number): EventStore => {
  let waiting: (() => void)[] = [];
  let released = false;
  const arrive = () => new Promise<void>((resolve) => {
    if (released) return resolve();
    waiting.push(resolve);
    if (waiting.length < parties) return;
    released = true;
    for (const go of waiting) go();
    waiting = [];
  });
  return new Proxy(store, {
    get: (target, property) => {
      if (property === 'appendToStream') {
        return async (...args: Parameters<EventStore['appendToStream']>) => {
          await arrive();
          return target.appendToStream(...args);
        };
      }
      const value: unknown = Reflect.get(target, property);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
};

interface StoreUnderTest {
  readonly store: EventStore;
  readonly cleanup: () => Promise<void>;
}

const stores: [string, boolean, () => Promise<StoreUnderTest>][] = [
  ['memory', true, async () => {
    const store = new MemoryEventStore();
    return { store, cleanup: () => store.close() };
  }],
  ['SQLite', true, async () => {
    const dir = mkdtempSync(join(tmpdir(), 'clusterconf-idempotent-'));
    const store = await SqliteEventStore.open({ path: join(dir, 'events.sqlite') });
    return { store, cleanup: async () => {
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    } };
  }],
  ['PostgreSQL', postgresAvailable, async () => {
    const schema = uniqueSchema('idempotent');
    const store = await PostgresEventStore.open({ connectionString: postgresUrl, schema });
    return { store, cleanup: async () => {
      await store.close();
      await dropSchema(schema);
    } };
  }],
];

describe.each(stores)('idempotent commands on the %s store', (_name, available, open) => {
  let opened: StoreUnderTest | undefined;
  afterEach(async () => {
    await opened?.cleanup();
    opened = undefined;
  });
  const setUp = async () => (opened = await open());
  const handlerOver = (store: EventStore, options: Partial<CommandHandlerOptions<{ ticket: number; parts: number }, State, Event, 'already stamped'>> = {}) =>
    createCommandHandler({ store, registry, decider: stamper, baseDelayMs: 1, ...options });

  it.skipIf(!available)('appends once when two handlers run the same command at the same moment, and both get the first result', async () => {
    const { store } = await setUp();
    right(await handlerOver(store).handle('tickets-1', { ticket: 1, parts: 1 }, { occurredAt: at }));
    // Both read revision 0, decide alike, and send the same ids at the same revision together.
    const racing = racingAppends(store, 2);
    const context = { occurredAt: at, commandId: 'stamp-2' };
    const [a, b] = await Promise.all([
      handlerOver(racing, { cacheSize: 10 }).handle('tickets-1', { ticket: 2, parts: 2 }, context),
      handlerOver(racing).handle('tickets-1', { ticket: 2, parts: 2 }, context),
    ]);
    expect(firstResult(right(a!))).toEqual(firstResult(right(b!)));
    expect(right(a!)).toMatchObject({ revision: 2n, events: [{ data: { ticket: 2, part: 0 } }, { data: { ticket: 2, part: 1 } }] });
    expect(await storedTickets(store, 'tickets-1')).toEqual(['0:1.0', '1:2.0', '2:2.1']);
  });

  it.skipIf(!available)('answers a handler that decided on an older state with the result another handler recorded', async () => {
    const { store } = await setUp();
    right(await handlerOver(store).handle('tickets-1', { ticket: 1, parts: 1 }, { occurredAt: at }));
    let release = () => {};
    const held = new Promise<void>((resolve) => (release = resolve));
    let reachedAppend = () => {};
    const reached = new Promise<void>((resolve) => (reachedAppend = resolve));
    // The slow handler's first append waits while the stream moves on and a fast handler records the same command.
    const slowStore = new Proxy(store, {
      get: (target, property) => {
        if (property === 'appendToStream') {
          return async (...args: Parameters<EventStore['appendToStream']>) => {
            reachedAppend();
            await held;
            return target.appendToStream(...args);
          };
        }
        const value: unknown = Reflect.get(target, property);
        return typeof value === 'function' ? value.bind(target) : value;
      },
    });
    const context = { occurredAt: at, commandId: 'stamp-2' };
    const slow = handlerOver(slowStore, { cacheSize: 10 }).handle('tickets-1', { ticket: 2, parts: 2 }, context);
    await reached;
    right(await handlerOver(store).handle('tickets-1', { ticket: 3, parts: 1 }, { occurredAt: at }));
    const fast = right(await handlerOver(store).handle('tickets-1', { ticket: 2, parts: 2 }, context));
    release();
    // Its append at revision 0 carries ids stored at revisions 2 and 3: the store answers it as a retry of those.
    const answered = right(await slow);
    expect(firstResult(answered)).toEqual(firstResult(fast));
    expect(answered).toMatchObject({ repeated: true, attempts: 2, revision: 3n, state: { stamps: 4 } });
    expect(await storedTickets(store, 'tickets-1')).toEqual(['0:1.0', '1:3.0', '2:2.0', '3:2.1']);
  });

  it.skipIf(!available)('appends once when four handlers, caching or not, run the same command concurrently', async () => {
    const { store } = await setUp();
    right(await handlerOver(store).handle('tickets-1', { ticket: 1, parts: 1 }, { occurredAt: at }));
    const context = { occurredAt: at, commandId: 'stamp-2' };
    const results = await Promise.all([0, 10, 0, 10].map((cacheSize) => handlerOver(store, { cacheSize }).handle('tickets-1', { ticket: 2, parts: 3 }, context)));
    const [first, ...others] = results.map((result) => firstResult(right(result)));
    for (const other of others) expect(other).toEqual(first);
    expect(await storedTickets(store, 'tickets-1')).toEqual(['0:1.0', '1:2.0', '2:2.1', '3:2.2']);
  });

  it.skipIf(!available)('answers a repeat after a restart (a new handler, nothing cached) with the first result, appending nothing', async () => {
    const { store } = await setUp();
    const before = handlerOver(store);
    const first = right(await before.handle('tickets-1', { ticket: 1, parts: 2 }, { occurredAt: at, commandId: 'stamp-1' }));
    right(await before.handle('tickets-1', { ticket: 2, parts: 1 }, { occurredAt: at }));
    const stored = await storedTickets(store, 'tickets-1');

    for (const cacheSize of [0, 10]) {
      const restarted = handlerOver(store, { cacheSize });
      // A later time, as a client retrying after the crash would send: the first handling's time stands.
      const again = right(await restarted.handle('tickets-1', { ticket: 1, parts: 2 }, { occurredAt: '2020-11-10T10:00:00Z', commandId: 'stamp-1' }));
      expect(firstResult(again)).toEqual(firstResult(first));
      expect(again).toMatchObject({ repeated: true, attempts: 1, state: { stamps: 2 } });
    }
    expect(await storedTickets(store, 'tickets-1')).toEqual(stored);
  });

  it.skipIf(!available)('answers a repeat from the same caching handler, whose cached state already holds the command', async () => {
    const { store } = await setUp();
    const handler = handlerOver(store, { cacheSize: 10 });
    const elsewhere = handlerOver(store);
    // One command handled here, one by another handler and only folded in here by the next command.
    const here = right(await handler.handle('tickets-1', { ticket: 1, parts: 1 }, { occurredAt: at, commandId: 'here' }));
    const there = right(await elsewhere.handle('tickets-1', { ticket: 2, parts: 1 }, { occurredAt: at, commandId: 'there' }));
    right(await handler.handle('tickets-1', { ticket: 3, parts: 1 }, { occurredAt: at }));
    expect(firstResult(right(await handler.handle('tickets-1', { ticket: 1, parts: 1 }, { occurredAt: at, commandId: 'here' })))).toEqual(firstResult(here));
    expect(firstResult(right(await handler.handle('tickets-1', { ticket: 2, parts: 1 }, { occurredAt: at, commandId: 'there' })))).toEqual(firstResult(there));
    expect(await storedTickets(store, 'tickets-1')).toEqual(['0:1.0', '1:2.0', '2:3.0']);
    // The cache still serves new commands from where it was.
    expect(right(await handler.handle('tickets-1', { ticket: 4, parts: 1 }, { occurredAt: at }))).toMatchObject({ revision: 3n, repeated: false });
  });

  it.skipIf(!available)('treats one command id on two streams as two commands', async () => {
    const { store } = await setUp();
    const handler = handlerOver(store);
    right(await handler.handle('tickets-1', { ticket: 1, parts: 1 }, { occurredAt: at, commandId: 'shared' }));
    const other = right(await handler.handle('tickets-2', { ticket: 1, parts: 1 }, { occurredAt: at, commandId: 'shared' }));
    expect(other.repeated).toBe(false);
    expect(await storedTickets(store, 'tickets-2')).toEqual(['0:1.0']);
  });

  it.skipIf(!available)('lets a raw appendToStream caller retry events built by toNewEvents after a restart: stored once', async () => {
    const { store } = await setUp();
    const build = () => toNewEvents('tickets-1', [{ type: 'Stamped', data: { ticket: 9, part: 0 } }], { now: () => new Date(at), commandId: 'import-9' });
    const first = await store.appendToStream('tickets-1', build(), { expectedRevision: 'no_stream' });
    const again = await store.appendToStream('tickets-1', build(), { expectedRevision: 'no_stream' });
    expect(again).toEqual(first);
    expect(await storedTickets(store, 'tickets-1')).toEqual(['0:9.0']);
    // The command handler finds such events too, by the same ids.
    const handled = right(await handlerOver(store).handle('tickets-1', { ticket: 9, parts: 1 }, { occurredAt: at, commandId: 'import-9' }));
    expect(handled).toMatchObject({ repeated: true, revision: 0n, position: first.position });
    for await (const event of store.readStream('tickets-1')) expect(event.metadata.eventId).toBe(commandEventId('tickets-1', 'import-9', 0));
  });
});
