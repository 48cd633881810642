import net from 'node:net';
import { postgresConfig } from './postgres.js';

/**
 * Which relayed connections a fault touches: every one, or those whose PostgreSQL startup message carries a matching
 * `application_name` (or does not). The stores name their long-lived connections (`clusterconf-lease:<namespace>`,
 * `clusterconf-listen:<schema>`), which lets a test cut a lease's session while the pooled connections of the same
 * store, opened from the same connection string, stay up.
 */
export interface ConnectionSelector {
  readonly applicationName?: RegExp;
  /** Leaves out connections whose application name matches (a connection without one is never left out). */
  readonly exceptApplicationName?: RegExp;
}

/** What `stall` holds back: both directions, or only what the server sends (requests still reach it). */
export interface StallOptions extends ConnectionSelector {
  readonly direction?: 'both' | 'to-client';
}

/** What the proxy has done so far. */
export interface ProxyCounters {
  /** Client connections accepted. */
  readonly accepted: number;
  /** Connections relayed to the server. */
  readonly relayed: number;
  /** Connections refused because they arrived while cut. */
  readonly refused: number;
  /** Relayed connections destroyed by `cut`. */
  readonly cutOff: number;
  /** Relayed connections open now. */
  readonly open: number;
}

/**
 * A loopback TCP relay in front of the test's PostgreSQL server, to make network faults without touching the server:
 * `cut` is a server that went away (every connection reset, new ones dropped), `stall` a network that falls silent.
 */
export interface TcpProxy {
  readonly port: number;
  /** The URL of `database` (default: the test database) through the proxy. */
  url(database?: string): string;
  /**
   * Destroys every relayed connection the selector matches, and refuses each new matching one after its startup
   * message, until `restore()`.
   */
  cut(selector?: ConnectionSelector): void;
  /**
   * From now on nothing passes (in `direction`) on matching connections, old and new, and nothing is closed: each
   * side's socket stays open, unanswered. What is held back is delivered on `restore()`, as TCP does once a network
   * heals.
   */
  stall(options?: StallOptions): void;
  /** Ends the fault: stalled connections flow again, new connections are relayed. */
  restore(): void;
  /**
   * Calls `action` once, synchronously, when a client of a matching connection sends a chunk `matches` accepts, just
   * before the chunk is relayed: a fault can then land between a request and its answer.
   */
  onceClientSends(selector: ConnectionSelector, matches: (chunk: Buffer) => boolean, action: () => void): void;
  readonly counters: ProxyCounters;
  /** The application names of refused connections, in order (`undefined`: none given). */
  readonly refusedApplicationNames: readonly (string | undefined)[];
  /** Ends every connection and stops listening. */
  close(): Promise<void>;
}

/** A chunk that carries a simple-protocol query starting with `text` (node-postgres sends `begin`/`commit` so). */
export const isSimpleQuery =
  (text: string) =>
  (chunk: Buffer): boolean =>
    chunk[0] === 0x51 && chunk.subarray(5).toString('utf8').toLowerCase().startsWith(text.toLowerCase());

const SSL_REQUEST = 80877103;
const CANCEL_REQUEST = 80877102;

/**
 * The application name in a startup message (int32 length, int32 protocol, then `key\0value\0` pairs), or
 * `undefined` for a message without one (an SSL or cancel request, which the tests' clients never send).
 */
const applicationNameOf = (startup: Buffer): string | undefined => {
  const code = startup.readInt32BE(4);
  if (code === SSL_REQUEST || code === CANCEL_REQUEST) return undefined;
  const fields = startup.subarray(8, startup.readInt32BE(0)).toString('utf8').split('\0');
  for (let i = 0; i + 1 < fields.length; i += 2) if (fields[i] === 'application_name') return fields[i + 1];
  return undefined;
};

const selects = (selector: ConnectionSelector | undefined, applicationName: string | undefined): boolean => {
  const { applicationName: only, exceptApplicationName: except } = selector ?? {};
  if (only !== undefined && (applicationName === undefined || !only.test(applicationName))) return false;
  return except === undefined || applicationName === undefined || !except.test(applicationName);
};

type Fault =
  | { readonly kind: 'none' }
  | { readonly kind: 'cut'; readonly selector: ConnectionSelector | undefined }
  | { readonly kind: 'stall'; readonly selector: ConnectionSelector | undefined; readonly direction: 'both' | 'to-client' };

/** One relayed connection. While stalled, its sockets are paused: the kernel holds what arrives, nothing is lost. */
class Relay {
  /** Chunks already read from the client when the stall began, relayed when it ends. */
  #held: Buffer[] = [];
  #stalled: 'none' | 'both' | 'to-client' = 'none';

  constructor(
    readonly client: net.Socket,
    readonly upstream: net.Socket,
    readonly applicationName: string | undefined,
    private readonly beforeRelay: (relay: Relay, chunk: Buffer) => void,
  ) {
    client.on('data', (chunk: Buffer) => {
      this.beforeRelay(this, chunk);
      if (this.#stalled === 'both') this.#held.push(chunk);
      else upstream.write(chunk);
    });
    upstream.on('data', (chunk: Buffer) => void client.write(chunk));
    // A side that says goodbye (FIN) is answered in kind; while stalled, the paused socket does not even read it.
    client.on('end', () => void upstream.end());
    upstream.on('end', () => void client.end());
    // A side that drops its socket outright is gone; so is the other side's session.
    client.on('close', () => upstream.destroy());
    upstream.on('close', () => client.destroy());
  }

  get open(): boolean {
    return !this.client.destroyed || !this.upstream.destroyed;
  }

  stall(direction: 'both' | 'to-client'): void {
    this.#stalled = direction;
    this.upstream.pause();
    if (direction === 'both') this.client.pause();
  }

  resume(): void {
    if (this.#stalled === 'none') return;
    this.#stalled = 'none';
    for (const chunk of this.#held.splice(0)) this.upstream.write(chunk);
    this.client.resume();
    this.upstream.resume();
  }

  destroy(): void {
    this.client.destroy();
    this.upstream.destroy();
  }
}

/** Starts a proxy on an ephemeral loopback port in front of `target` (default: the test's PostgreSQL server). */
export const startTcpProxy = async (target: { host: string; port: number } = postgresConfig): Promise<TcpProxy> => {
  let fault: Fault = { kind: 'none' };
  const relays = new Set<Relay>();
  const pending = new Set<net.Socket>();
  const hooks: { selector: ConnectionSelector; matches: (chunk: Buffer) => boolean; action: () => void }[] = [];
  const refusedApplicationNames: (string | undefined)[] = [];
  const counts = { accepted: 0, relayed: 0, refused: 0, cutOff: 0 };

  const beforeRelay = (relay: Relay, chunk: Buffer): void => {
    for (const hook of [...hooks]) {
      if (!selects(hook.selector, relay.applicationName) || !hook.matches(chunk)) continue;
      hooks.splice(hooks.indexOf(hook), 1);
      hook.action();
    }
  };

  const relay = (client: net.Socket, startup: Buffer, applicationName: string | undefined): void => {
    const upstream = net.connect({ host: target.host, port: target.port, allowHalfOpen: true });
    upstream.on('error', () => undefined);
    const connection = new Relay(client, upstream, applicationName, beforeRelay);
    relays.add(connection);
    counts.relayed++;
    upstream.on('close', () => relays.delete(connection));
    // The startup message goes first; while stalled both ways it waits in the paused socket with the rest.
    client.unshift(startup);
    const stalled = fault.kind === 'stall' && selects(fault.selector, applicationName) ? fault.direction : undefined;
    if (stalled !== undefined) connection.stall(stalled);
    if (stalled !== 'both') client.resume();
  };

  // Half-open sockets, so a goodbye is relayed as a goodbye rather than as a reset.
  const server = net.createServer({ allowHalfOpen: true }, (client) => {
    counts.accepted++;
    client.on('error', () => undefined);
    pending.add(client);
    client.on('close', () => pending.delete(client));
    // Read the whole startup message before deciding: it says which connection this is.
    let buffered = Buffer.alloc(0);
    const onData = (chunk: Buffer): void => {
      buffered = Buffer.concat([buffered, chunk]);
      if (buffered.length < 8 || buffered.length < buffered.readInt32BE(0)) return;
      client.off('data', onData);
      client.pause();
      pending.delete(client);
      const applicationName = applicationNameOf(buffered);
      if (fault.kind === 'cut' && selects(fault.selector, applicationName)) {
        counts.refused++;
        refusedApplicationNames.push(applicationName);
        client.destroy();
        return;
      }
      relay(client, buffered, applicationName);
    };
    client.on('data', onData);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;

  return {
    port,
    url: (database = postgresConfig.database) => `postgres://${postgresConfig.user}@127.0.0.1:${port}/${database}`,
    cut: (selector) => {
      fault = { kind: 'cut', selector };
      for (const connection of [...relays]) {
        if (!selects(selector, connection.applicationName)) continue;
        counts.cutOff++;
        relays.delete(connection);
        connection.destroy();
      }
    },
    stall: (options = {}) => {
      const direction = options.direction ?? 'both';
      fault = { kind: 'stall', selector: options, direction };
      for (const connection of relays) if (selects(options, connection.applicationName)) connection.stall(direction);
    },
    restore: () => {
      fault = { kind: 'none' };
      for (const connection of relays) connection.resume();
    },
    onceClientSends: (selector, matches, action) => void hooks.push({ selector, matches, action }),
    get counters() {
      return { ...counts, open: [...relays].filter((connection) => connection.open).length };
    },
    refusedApplicationNames,
    close: async () => {
      for (const connection of relays) connection.destroy();
      for (const socket of pending) socket.destroy();
      await new Promise((resolve) => server.close(resolve));
    },
  };
};
