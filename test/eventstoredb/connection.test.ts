import { afterEach, describe, expect, it } from 'vitest';
import { EventStoreDBEventStore, InvalidConnectionStringError } from '@clusterconf/adapters/eventstoredb';
import { StoreUnavailableError } from '@clusterconf/domain';
import { newEvent } from '@clusterconf/adapters/testing';
import { testClientPackage } from './test-client.js';
import { EventStoreDBTestServer } from './test-server/index.js';

/** The scheme of this test process's client package, so that no test here loads the other package. */
const scheme = testClientPackage() === '@kurrent/kurrentdb-client' ? 'kurrentdb' : 'esdb';

const rejection = async (promise: Promise<unknown>): Promise<unknown> => promise.then(() => new Error('expected a rejection'), (error: unknown) => error);

describe('EventStoreDB adapter: connection strings and unreachable servers', () => {
  const stores: EventStoreDBEventStore[] = [];
  afterEach(async () => {
    for (const store of stores.splice(0)) await store.close();
  });

  /** A port on which nothing listens: the test server's, after it stopped. */
  const closedPort = async (): Promise<number> => {
    const server = new EventStoreDBTestServer();
    await server.start();
    const port = server.port;
    await server.stop();
    return port;
  };

  it('an unreachable server gives StoreUnavailableError naming the endpoint with the password masked, and what to check', async () => {
    const port = await closedPort();
    const store = new EventStoreDBEventStore(`${scheme}://admin:changeit@127.0.0.1:${port}?tls=false`);
    stores.push(store);
    const error = await rejection(store.appendToStream('s', [newEvent('A', {})]));
    expect(error).toBeInstanceOf(StoreUnavailableError);
    expect(error).toMatchObject({ endpoint: `${scheme}://admin:***@127.0.0.1:${port}` });
    const message = (error as Error).message;
    expect(message).toContain(`127.0.0.1:${port}`);
    expect(message).not.toContain('changeit');
    expect(message).toMatch(/running/);
    expect(message).toMatch(/tls=/);
    const read = await rejection((async () => {
      for await (const event of store.readAll()) void event;
    })());
    expect(read).toBeInstanceOf(StoreUnavailableError);
  });

  it.each([
    ['a "/"', 'se/cret'],
    ['a "?"', 'se?cret'],
  ])('never shows a password holding %s in the errors of an unreachable server', async (_label, password) => {
    const port = await closedPort();
    // @eventstore/db-client takes such a password as it is; @kurrent/kurrentdb-client's Rust bridge only percent-encoded.
    if (scheme === 'kurrentdb') {
      const refused = (() => {
        try {
          new EventStoreDBEventStore(`${scheme}://admin:${password}@127.0.0.1:${port}?tls=false`);
        } catch (error) {
          return error;
        }
      })();
      expect(refused).toBeInstanceOf(InvalidConnectionStringError);
      expect((refused as Error).message).toMatch(/percent-encode/);
      expect((refused as Error).message).not.toContain('cret');
    }
    const written = scheme === 'kurrentdb' ? encodeURIComponent(password) : password;
    const store = new EventStoreDBEventStore(`${scheme}://admin:${written}@127.0.0.1:${port}?tls=false`);
    stores.push(store);
    const error = await rejection(store.appendToStream('s', [newEvent('A', {})]));
    expect(error).toBeInstanceOf(StoreUnavailableError);
    expect(error).toMatchObject({ endpoint: `${scheme}://admin:***@127.0.0.1:${port}` });
    expect((error as Error).message).not.toContain('cret');
  });

  it.each([
    ['a non-string', 42, /expected a string/],
    ['another scheme', 'http://localhost:2113', /esdb:\/\//],
    ['no host', `${scheme}://?tls=false`, /no host/],
    ['an empty host between commas', `${scheme}://a:2113,,b:2113`, /empty/],
    ['a port that is not a number', `${scheme}://localhost:twenty?tls=false`, /port number/],
    ['an unknown tls value', `${scheme}://admin:s3cret@localhost:2113?tls=perhaps`, /true or false/],
  ])('refuses %s before connecting, with a message that never shows the password', (_label, connectionString, reason) => {
    let error: unknown;
    try {
      new EventStoreDBEventStore(connectionString as string);
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(InvalidConnectionStringError);
    expect(error).toMatchObject({ code: 'INVALID_CONNECTION_STRING' });
    expect((error as Error).message).toMatch(reason);
    expect((error as Error).message).toMatch(/esdb:\/\/localhost:2113\?tls=false/);
    expect((error as Error).message).not.toContain('s3cret');
  });
});
