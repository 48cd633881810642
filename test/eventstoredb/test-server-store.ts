import { EventStoreDBClient } from '@eventstore/db-client';
import { EventStoreDBEventStore, type EventStoreDBEventStoreOptions } from '@clusterconf/adapters/eventstoredb';
import { EventStoreDBTestServer, type EventStoreDBTestServerOptions } from './test-server/index.js';

/** A started TEST SERVER and an adapter on it, with a count of the events the adapter has taken from the client. */
export interface TestServerStore {
  readonly server: EventStoreDBTestServer;
  readonly client: EventStoreDBClient;
  readonly store: EventStoreDBEventStore;
  /** Events the client has handed to the adapter's subscriptions so far. */
  readonly subscriptionEventsTaken: () => number;
  /** Another client and adapter on the same server. */
  readonly reopen: () => Promise<EventStoreDBEventStore>;
  readonly cleanup: () => Promise<void>;
}

/** A client whose subscriptions count the events they hand out. */
const countingClient = (connectionString: string, counter: { taken: number }): EventStoreDBClient => {
  const client = EventStoreDBClient.connectionString(connectionString);
  const subscribeToAll = client.subscribeToAll.bind(client);
  client.subscribeToAll = ((...args: Parameters<typeof subscribeToAll>) => {
    const subscription = subscribeToAll(...args);
    subscription.on('data', () => counter.taken++);
    return subscription;
  }) as typeof client.subscribeToAll;
  return client;
};

/** Starts a fresh test server (an empty log) and an adapter over a client connected to it. */
export const startTestServerStore = async (
  serverOptions: EventStoreDBTestServerOptions = {},
  storeOptions: EventStoreDBEventStoreOptions = {},
): Promise<TestServerStore> => {
  const server = new EventStoreDBTestServer(serverOptions);
  await server.start();
  const counter = { taken: 0 };
  const clients: EventStoreDBClient[] = [];
  const open = () => {
    const client = countingClient(server.connectionString, counter);
    clients.push(client);
    return { client, store: new EventStoreDBEventStore(client, { endpoint: server.connectionString, ...storeOptions }) };
  };
  const { client, store } = open();
  return {
    server,
    client,
    store,
    subscriptionEventsTaken: () => counter.taken,
    reopen: async () => open().store,
    cleanup: async () => {
      await store.close();
      await Promise.all(clients.map((each) => each.dispose()));
      await server.stop();
    },
  };
};
