import net from 'node:net';
import { postgresConfig } from '../support/postgres.js';

/**
 * A TCP relay to the test server that can fall silent, as a network that drops packets without a word, or refuse,
 * as a server that went away.
 */
export interface SilentProxy {
  /** The test database's URL through the relay. */
  readonly url: string;
  /** From now on nothing passes either way and nothing is closed: each side's socket stays open, unanswered. */
  silence(): void;
  /** Drops every relayed connection, and from now on drops each new one after its first message. */
  refuse(): void;
  /** Connections refused so far whose startup message carried no `clusterconf-listen` application name. */
  readonly refusedOthers: number;
  /** Ends every relayed connection and stops listening. */
  close(): Promise<void>;
}

export const startSilentProxy = async (): Promise<SilentProxy> => {
  let silent = false;
  let refusing = false;
  let refusedOthers = 0;
  const sockets = new Set<net.Socket>();
  const track = (socket: net.Socket): net.Socket => {
    sockets.add(socket);
    socket.on('error', () => undefined);
    socket.on('close', () => sockets.delete(socket));
    return socket;
  };
  // Half-open sockets: a side that says goodbye (FIN) is not answered while the relay is silent, as on a dead network.
  const server = net.createServer({ allowHalfOpen: true }, (client) => {
    track(client);
    if (refusing) {
      client.once('data', (startup) => {
        if (!startup.includes('clusterconf-listen')) refusedOthers++;
        client.destroy();
      });
      return;
    }
    const upstream = track(net.connect({ host: postgresConfig.host, port: postgresConfig.port, allowHalfOpen: true }));
    client.on('data', (chunk) => void (silent || upstream.write(chunk)));
    upstream.on('data', (chunk) => void (silent || client.write(chunk)));
    client.on('end', () => void (silent || upstream.end()));
    upstream.on('end', () => void (silent || client.end()));
    // A side that drops its socket outright is gone; the other side's session may end too.
    client.on('close', () => upstream.destroy());
    upstream.on('close', () => void (silent || client.destroy()));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  return {
    url: `postgres://${postgresConfig.user}@127.0.0.1:${port}/${postgresConfig.database}`,
    silence: () => {
      silent = true;
    },
    refuse: () => {
      refusing = true;
      for (const socket of sockets) socket.destroy();
    },
    get refusedOthers() {
      return refusedOthers;
    },
    close: async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise((resolve) => server.close(resolve));
    },
  };
};
