import * as grpc from '@grpc/grpc-js';
import { testClientPackage, type TestClientPackage } from '../test-client.js';
import { loadDefinitions, serverFeaturesGrpc, serverFeaturesPb, streamsGrpc } from './grpc-definitions.js';
import { handleAppend, handleBatchAppend, handleDelete } from './append-handlers.js';
import { InMemoryLog } from './in-memory-log.js';
import { handleRead, type SubscriptionControl } from './read-handler.js';

/** Options of the test server. */
export interface EventStoreDBTestServerOptions {
  /** Streams whose reads and writes the server refuses with access-denied, to exercise that error path. */
  readonly deniedStreamPrefixes?: readonly string[];
  /** Advertise Streams.BatchAppend through ServerFeatures (default true), so the client uses it as with EventStoreDB 21.10+. */
  readonly advertiseBatchAppend?: boolean;
  /** EventStoreDB's `--max-append-size`: the most bytes one append may carry (data, metadata, type); default 1,048,576. */
  readonly maxAppendSize?: number;
  /**
   * Answer an append recognised as a retry with its position (default true, as current servers do); false answers
   * with `no_position`, as EventStoreDB does when it cannot tell it (20.10, or an event not yet indexed).
   */
  readonly idempotentAppendPosition?: boolean;
  /** How many event ids the idempotency cache for 'any' and 'stream_exists' retries keeps; default 100,000. */
  readonly idempotencyCacheSize?: number;
  /** Send caught-up on `$all` subscriptions (default true, as EventStoreDB 23.10+); false as older servers. */
  readonly sendCaughtUp?: boolean;
  /**
   * The client package whose gRPC definitions the server is built from, and whose scheme `connectionString` uses
   * (esdb:// or kurrentdb://); by default the test process's (`CLUSTERCONF_TEST_CLIENT`, else @eventstore/db-client).
   */
  readonly clientPackage?: TestClientPackage;
}

/** EventStoreDB's default `--max-append-size`. */
export const DEFAULT_MAX_APPEND_SIZE = 1_048_576;

const STREAMS_SERVICE = 'event_store.client.streams.Streams';

/**
 * A TEST SERVER, not a product and not EventStoreDB: an in-process gRPC server built from the service definitions
 * that the client package under test ships (@eventstore/db-client or @kurrent/kurrentdb-client), serving Streams (Read, Append, BatchAppend, Delete, Tombstone) and
 * ServerFeatures from an in-memory log, on 127.0.0.1 without TLS. It exists so the adapter's tests run the real
 * client over real gRPC; it implements only what the adapter uses, and its figures say nothing about EventStoreDB.
 * `stop()` drops every connection and `start()` listens again on the same port with the same data, so tests can
 * simulate a connection loss.
 */
export class EventStoreDBTestServer {
  readonly log: InMemoryLog;
  readonly clientPackage: TestClientPackage;
  #server: grpc.Server | undefined;
  #port = 0;
  readonly #denied: readonly string[];
  readonly #advertiseBatchAppend: boolean;
  readonly #maxAppendSize: number;
  readonly #idempotentPosition: boolean;
  readonly #subscriptions: SubscriptionControl;

  constructor(options: EventStoreDBTestServerOptions = {}) {
    this.clientPackage = options.clientPackage ?? testClientPackage();
    loadDefinitions(this.clientPackage);
    this.log = new InMemoryLog({ idempotencyCacheSize: options.idempotencyCacheSize });
    this.#denied = options.deniedStreamPrefixes ?? [];
    this.#advertiseBatchAppend = options.advertiseBatchAppend ?? true;
    this.#maxAppendSize = options.maxAppendSize ?? DEFAULT_MAX_APPEND_SIZE;
    this.#idempotentPosition = options.idempotentAppendPosition ?? true;
    this.#subscriptions = { sendCaughtUp: options.sendCaughtUp ?? true, behind: false, opened: 0, listeners: new Set() };
  }

  /** How many `$all` subscriptions the server has confirmed, over all its starts. */
  get subscriptionsOpened(): number {
    return this.#subscriptions.opened;
  }

  /**
   * Makes every live `$all` subscription fall behind, as EventStoreDB does when a subscriber cannot keep up: each
   * sends FellBehind, goes on delivering events, and says caught-up again only after the returned function is called.
   */
  fallBehind(): () => void {
    const control = this.#subscriptions;
    const notify = () => {
      for (const listener of [...control.listeners]) listener();
    };
    control.behind = true;
    notify();
    return () => {
      control.behind = false;
      notify();
    };
  }

  /** The port it listens on (chosen by the OS at the first start, kept across restarts). */
  get port(): number {
    return this.#port;
  }

  /**
   * A connection string for its client package: esdb:// for @eventstore/db-client, kurrentdb:// for
   * @kurrent/kurrentdb-client. The latter sets `discoveryInterval=10`: the client's Rust bridge (its reads) waits one
   * discovery interval, 500 ms by default, before it first connects, which would add that to every test's first read.
   */
  get connectionString(): string {
    if (this.clientPackage === '@kurrent/kurrentdb-client') return `kurrentdb://127.0.0.1:${this.#port}?tls=false&discoveryInterval=10`;
    return `esdb://127.0.0.1:${this.#port}?tls=false`;
  }

  /** Starts listening; after a `stop()`, listens again on the same port. */
  async start(): Promise<void> {
    if (this.#server) return;
    const server = new grpc.Server();
    const context = {
      log: this.log,
      isDenied: (stream: string) => this.#denied.some((prefix) => stream.startsWith(prefix)),
      maxAppendSize: this.#maxAppendSize,
      idempotentPosition: this.#idempotentPosition,
      subscriptions: this.#subscriptions,
    };
    server.addService(streamsGrpc.StreamsService, {
      read: (call: Parameters<typeof handleRead>[1]) => handleRead(context, call),
      append: (call: Parameters<typeof handleAppend>[1], callback: Parameters<typeof handleAppend>[2]) => handleAppend(context, call, callback),
      batchAppend: (call: Parameters<typeof handleBatchAppend>[1]) => handleBatchAppend(context, call),
      delete: handleDelete(context, false),
      tombstone: handleDelete(context, true),
    } as grpc.UntypedServiceImplementation);
    server.addService(serverFeaturesGrpc.ServerFeaturesService, {
      getSupportedMethods: (_call: unknown, callback: grpc.sendUnaryData<InstanceType<typeof serverFeaturesPb.SupportedMethods>>) =>
        callback(null, this.#supportedMethods()),
    });
    this.#port = await new Promise<number>((resolve, reject) =>
      server.bindAsync(`127.0.0.1:${this.#port}`, grpc.ServerCredentials.createInsecure(), (error, port) => (error ? reject(error) : resolve(port))),
    );
    this.#server = server;
  }

  /** Stops at once, cutting open calls as a crashed or restarted server would; the data stays. */
  async stop(): Promise<void> {
    const server = this.#server;
    this.#server = undefined;
    server?.forceShutdown();
  }

  #supportedMethods() {
    const methods = ['Read', 'Append', 'Delete', 'Tombstone', ...(this.#advertiseBatchAppend ? ['BatchAppend'] : [])].map((name) => {
      const method = new serverFeaturesPb.SupportedMethod();
      method.setServiceName(STREAMS_SERVICE);
      method.setMethodName(name);
      return method;
    });
    const supported = new serverFeaturesPb.SupportedMethods();
    supported.setMethodsList(methods);
    supported.setEventStoreServerVersion('0.0.0-clusterconf-test-server');
    return supported;
  }
}
