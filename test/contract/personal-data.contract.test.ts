import type { EventStore } from '@clusterconf/domain';
import { conferenceEvents } from '@clusterconf/domain';
import { MemoryEventStore } from '@clusterconf/adapters/memory';
import { MemoryKeyStore, withPersonalData } from '@clusterconf/adapters/personal-data';
import { SqliteEventStore, SqliteKeyStore } from '@clusterconf/adapters/sqlite';
import { describeEventStoreContract } from '@clusterconf/adapters/testing';

/** Counts the events the wrapped store reads for subscriptions, for the contract's backpressure case. */
const countingReads = (sealed: EventStore): (() => number) => {
  const source = sealed as EventStore & { readPage: (...args: unknown[]) => Promise<{ events: readonly unknown[] }> };
  const readPage = source.readPage.bind(source);
  let count = 0;
  source.readPage = async (...args) => {
    const page = await readPage(...args);
    count += page.events.length;
    return page;
  };
  return () => count;
};

// The personal-data layer keeps the port's semantics for every event, and its fast path for events without
// personal fields (the contract's subscription cases check that the fast path hands out what the iterator would).
describeEventStoreContract('memory behind withPersonalData', async () => {
  const sealed = new MemoryEventStore();
  const fetchedEvents = countingReads(sealed);
  const store = withPersonalData(sealed, { keyStore: new MemoryKeyStore(), registry: conferenceEvents });
  return { store, fetchedEvents, cleanup: () => store.close() };
});

describeEventStoreContract('SQLite :memory: behind withPersonalData, keys in the same database', async () => {
  const sealed = await SqliteEventStore.open({ path: ':memory:', readPageSize: 3 });
  const fetchedEvents = countingReads(sealed);
  const keyStore = await SqliteKeyStore.open({ database: sealed.database });
  const store = withPersonalData(sealed, { keyStore, registry: conferenceEvents });
  return {
    store,
    fetchedEvents,
    corruptEvent: async (streamId, revision, column, text) => {
      sealed.database.prepare(`UPDATE events SET ${column} = ? WHERE stream_id = ? AND stream_revision = ?`).run(text, streamId, Number(revision));
    },
    cleanup: () => store.close(),
  };
}, { corruptRows: true, exactCountLimit: 10_000 });
