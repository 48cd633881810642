import type { ClientEventData, EventStoreDBClientLike } from '@clusterconf/adapters/eventstoredb';

/** The client packages the EventStoreDB tests run: the legacy one and its KurrentDB successor. */
export type TestClientPackage = '@eventstore/db-client' | '@kurrent/kurrentdb-client';

const PACKAGES: readonly TestClientPackage[] = ['@eventstore/db-client', '@kurrent/kurrentdb-client'];

/** The environment variable that picks the client package of a test process (vitest's `kurrentdb` project sets it). */
export const TEST_CLIENT_VARIABLE = 'CLUSTERCONF_TEST_CLIENT';

/**
 * The client package this test process runs: `CLUSTERCONF_TEST_CLIENT`, by default @eventstore/db-client. One per
 * process, because the two packages' generated gRPC messages share global names (see test-server/grpc-definitions.ts).
 */
export const testClientPackage = (): TestClientPackage => {
  const chosen = process.env[TEST_CLIENT_VARIABLE];
  if (chosen === undefined || chosen === '') return '@eventstore/db-client';
  if (!(PACKAGES as readonly string[]).includes(chosen)) {
    throw new Error(`${TEST_CLIENT_VARIABLE}=${chosen} names no client package the tests know; use one of ${PACKAGES.join(', ')}`);
  }
  return chosen as TestClientPackage;
};

/** A client as the tests use it: the adapter's seam, plus the deletes the tests prepare streams with. */
export interface TestClient extends EventStoreDBClientLike {
  deleteStream(streamName: string): Promise<unknown>;
  tombstoneStream(streamName: string): Promise<unknown>;
}

/** What a test needs of a client package: a client from a connection string, and events as other producers write them. */
export interface TestClientModule {
  readonly packageName: TestClientPackage;
  connect(connectionString: string): TestClient;
  jsonEvent(event: { readonly type: string; readonly data: unknown }): ClientEventData;
  binaryEvent(event: { readonly type: string; readonly data: Uint8Array }): ClientEventData;
}

/** Loads a client package (only when asked, so a process never loads both). */
export const loadTestClient = async (packageName: TestClientPackage = testClientPackage()): Promise<TestClientModule> => {
  if (packageName === '@kurrent/kurrentdb-client') {
    const { KurrentDBClient, jsonEvent, binaryEvent } = await import('@kurrent/kurrentdb-client');
    return {
      packageName,
      connect: (connectionString) => KurrentDBClient.connectionString(connectionString) as unknown as TestClient,
      jsonEvent: (event) => jsonEvent(event as Parameters<typeof jsonEvent>[0]),
      binaryEvent: (event) => binaryEvent(event),
    };
  }
  const { EventStoreDBClient, jsonEvent, binaryEvent } = await import('@eventstore/db-client');
  return {
    packageName,
    connect: (connectionString) => EventStoreDBClient.connectionString(connectionString) as unknown as TestClient,
    jsonEvent: (event) => jsonEvent(event as Parameters<typeof jsonEvent>[0]),
    binaryEvent: (event) => binaryEvent(event),
  };
};
