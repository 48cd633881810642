import net from 'node:net';
import { postgresConfig } from './postgres.js';

/**
 * A TCP relay to the test PostgreSQL server that can lose an answer: the statement reaches the server, runs and
 * commits, and then the connection breaks before the client hears back. That is the unknown outcome a client cannot
 * tell from a statement that never ran.
 */
export interface AnswerDroppingProxy {
  /** The test database's URL through the relay. */
  readonly url: string;
  /**
   * Arms the relay once: the next connection whose client sends bytes containing `marker` (a prepared statement's
   * name is in every Parse and Bind message) is cut, both sides, when the server has answered in full (its next
   * ReadyForQuery, sent after the implicit commit), and none of that answer is passed on. Resolves when it is cut.
   */
  dropAnswerTo(marker: string): Promise<void>;
  /** How many answers were dropped. */
  readonly dropped: number;
  /** Ends every relayed connection and stops listening. */
  close(): Promise<void>;
}

/** The backend message that ends every answer: the server is idle again, any implicit transaction committed. */
const READY_FOR_QUERY = 'Z'.charCodeAt(0);

export const startAnswerDroppingProxy = async (): Promise<AnswerDroppingProxy> => {
  let armed: { marker: Buffer; cut: () => void } | undefined;
  let dropped = 0;
  const sockets = new Set<net.Socket>();
  const track = (socket: net.Socket): net.Socket => {
    sockets.add(socket);
    socket.on('error', () => undefined);
    socket.on('close', () => sockets.delete(socket));
    return socket;
  };
  const server = net.createServer((client) => {
    track(client);
    const upstream = track(net.connect({ host: postgresConfig.host, port: postgresConfig.port }));
    let withholding: (() => void) | undefined;
    // The server's bytes are framed (type, length including itself, body) from the first one on, as the client sends
    // no SSLRequest: parse them to find where an answer ends, across chunk boundaries.
    let pending = Buffer.alloc(0);
    client.on('data', (chunk: Buffer) => {
      if (armed && withholding === undefined && chunk.includes(armed.marker)) {
        withholding = armed.cut;
        armed = undefined;
      }
      upstream.write(chunk);
    });
    upstream.on('data', (chunk: Buffer) => {
      pending = Buffer.concat([pending, chunk]);
      while (pending.length >= 5) {
        const size = 1 + pending.readUInt32BE(1);
        if (pending.length < size) break;
        const message = pending.subarray(0, size);
        pending = pending.subarray(size);
        if (withholding === undefined) {
          client.write(message);
        } else if (message[0] === READY_FOR_QUERY) {
          dropped++;
          client.destroy();
          upstream.destroy();
          withholding();
          return;
        }
      }
    });
    client.on('close', () => upstream.destroy());
    upstream.on('close', () => client.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  return {
    url: `postgres://${postgresConfig.user}@127.0.0.1:${port}/${postgresConfig.database}`,
    dropAnswerTo: (marker) => new Promise<void>((resolve) => {
      armed = { marker: Buffer.from(marker), cut: resolve };
    }),
    get dropped() {
      return dropped;
    },
    close: async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise((resolve) => server.close(resolve));
    },
  };
};
