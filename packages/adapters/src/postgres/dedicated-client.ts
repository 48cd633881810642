import pg from 'pg';

/**
 * How soon an idle connection starts TCP keepalive probes. node-postgres leaves keepalive off, and the operating
 * system's default idle time is two hours: a LISTEN or lease connection whose network drops silently (a NAT or
 * firewall forgetting it) would look alive that long, never receiving a notification or losing its lock.
 */
const KEEPALIVE_IDLE_MS = 10_000;

/** How long `endClient` waits for a goodbye before it drops the socket. */
const END_GRACE_MS = 1_000;

/** A client for one of a store's long-lived connections (listening, notifying, leases), with TCP keepalive on. */
export const dedicatedClient = (config: pg.ClientConfig): pg.Client =>
  new pg.Client({ ...config, keepAlive: true, keepAliveInitialDelayMillis: KEEPALIVE_IDLE_MS });

/** Whether `promise` settles within `ms`. */
const settlesWithin = async (promise: Promise<unknown>, ms: number): Promise<boolean> => {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<false>((resolve) => {
    timer = setTimeout(resolve, ms, false);
  });
  try {
    return await Promise.race([promise.then(() => true), late]);
  } finally {
    clearTimeout(timer);
  }
};

/**
 * Ends a connection without hanging on it. `end()` says goodbye and waits for the server to close the socket, which
 * on a dead network never happens (node-postgres only forces the close when a query is in flight); after `graceMs`
 * the socket is destroyed instead, which ends the session on the server as soon as it notices. Never rejects.
 */
export const endClient = async (client: pg.Client, graceMs: number = END_GRACE_MS): Promise<void> => {
  const ended = client.end().catch(() => undefined);
  if (await settlesWithin(ended, graceMs)) return;
  client.connection.stream.destroy();
  // A destroyed socket closes at once; the bound only guards against an 'end' that was already spent.
  await settlesWithin(ended, graceMs);
};
