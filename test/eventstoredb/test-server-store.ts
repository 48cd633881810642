import { EventStoreDBEventStore, type EventStoreDBEventStoreOptions } from '@clusterconf/adapters/eventstoredb';
import { loadTestClient, type TestClient, type TestClientModule } from './test-client.js';
import { EventStoreDBTestServer, type EventStoreDBTestServerOptions } from './test-server/index.js';

/** A started TEST SERVER and an adapter on it, with a count of the events the adapter has taken from the client. */
export interface TestServerStore {
  readonly server: EventStoreDBTestServer;
  /** The client package in use, for events written as other producers write them. */
  readonly clientModule: TestClientModule;
  readonly client: TestClient;
  readonly store: EventStoreDBEventStore;
  /** Events the client has handed to the adapter's subscriptions so far. */
  readonly subscriptionEventsTaken: () => number;
  /** Another client and adapter on the same server. */
  readonly reopen: () => Promise<EventStoreDBEventStore>;
  readonly cleanup: () => Promise<void>;
}

/** A client whose subscriptions count the events they hand out. */
const countingClient = (clientModule: TestClientModule, connectionString: string, counter: { taken: number }): TestClient => {
  const client = clientModule.connect(connectionString);
  const subscribeToAll = client.subscribeToAll.bind(client);
  client.subscribeToAll = (...args: Parameters<typeof subscribeToAll>) => {
    const subscription = subscribeToAll(...args);
    subscription.on('data', () => counter.taken++);
    return subscription;
  };
  return client;
};

/**
 * Starts a fresh test server (an empty log) and an adapter over a client connected to it, of the test process's
 * client package unless `serverOptions.clientPackage` names one.
 */
export const startTestServerStore = async (
  serverOptions: EventStoreDBTestServerOptions = {},
  storeOptions: EventStoreDBEventStoreOptions = {},
): Promise<TestServerStore> => {
  const server = new EventStoreDBTestServer(serverOptions);
  const clientModule = await loadTestClient(server.clientPackage);
  await server.start();
  const counter = { taken: 0 };
  const clients: TestClient[] = [];
  const open = () => {
    const client = countingClient(clientModule, server.connectionString, counter);
    clients.push(client);
    return { client, store: new EventStoreDBEventStore(client, { endpoint: server.connectionString, ...storeOptions }) };
  };
  const { client, store } = open();
  return {
    server,
    clientModule,
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
