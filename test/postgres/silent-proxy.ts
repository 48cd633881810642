import { startTcpProxy } from '../support/tcp-proxy.js';

/**
 * A TCP relay to the test server that can fall silent, as a network that drops packets without a word, or refuse,
 * as a server that went away. The vocabulary of the silent-connection tests over the general `TcpProxy`.
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
  const proxy = await startTcpProxy();
  return {
    url: proxy.url(),
    silence: () => proxy.stall(),
    refuse: () => proxy.cut(),
    get refusedOthers() {
      return proxy.refusedApplicationNames.filter((name) => !name?.startsWith('clusterconf-listen')).length;
    },
    close: () => proxy.close(),
  };
};
