import { afterEach, describe, expect, it } from 'vitest';
import { openStores, parseStoreUrl } from '@clusterconf/cli';
import { StoreUnavailableError } from '@clusterconf/domain';
import { newEvent } from '@clusterconf/adapters/testing';
import { EventStoreDBTestServer } from './test-server/index.js';

/** The server's connection string with credentials, which an insecure server ignores and every message must mask. */
const withCredentials = (connectionString: string): string => connectionString.replace('://', '://admin:s3cret-pw@');

// Runs in both vitest projects, so `--store` is an esdb:// URL through @eventstore/db-client in one and a kurrentdb://
// URL through @kurrent/kurrentdb-client in the other, each against the in-process TEST SERVER.
describe('CLI --store with an EventStoreDB or KurrentDB URL (on the test server)', () => {
  let server: EventStoreDBTestServer;
  afterEach(async () => {
    await server.stop();
  });

  it('opens the store the URL names through the client package its scheme names, showing the URL with the password masked', async () => {
    server = new EventStoreDBTestServer();
    await server.start();
    const url = parseStoreUrl(withCredentials(server.connectionString));
    expect(url.display).toBe(server.connectionString.replace('://', '://admin:***@'));
    const stores = await openStores(url, { mode: 'create' });
    try {
      const written = await stores.events.appendToStream('cli-opened', [newEvent('Opened', {})]);
      expect(await stores.events.headPosition()).toEqual(written.position);
      expect(stores.durableReadModels).toBe(false);
    } finally {
      await stores.close();
    }
  });

  it('fails to open an unreachable server with StoreUnavailableError that never shows the password', async () => {
    server = new EventStoreDBTestServer();
    await server.start();
    const url = parseStoreUrl(withCredentials(server.connectionString));
    await server.stop();
    const error = await openStores(url, { mode: 'read' }).then(() => undefined, (failure: unknown) => failure);
    expect(error).toBeInstanceOf(StoreUnavailableError);
    expect((error as Error).message).toContain(`127.0.0.1:${server.port}`);
    expect((error as Error).message).not.toContain('s3cret');
  });
});
