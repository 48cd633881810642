import type pg from 'pg';
import { dedicatedClient, endClient } from '../dedicated-client.js';

/** Options of `NotificationListener`. */
export interface NotificationListenerOptions {
  /** Settings of the dedicated connection (a pool's settings are fine: the listener opens its own client). */
  readonly client: pg.ClientConfig;
  /** The NOTIFY channel, already a validated identifier. */
  readonly channel: string;
  /** The longest pause between reconnect attempts. */
  readonly maxBackoffMs?: number;
}

/**
 * One LISTEN connection per store, shared by all its subscriptions. A notification, a reconnect, or the caller's poll
 * interval wakes the waiters; they re-read from their own positions, so a dropped connection can delay a wake-up
 * but never lose or repeat an event.
 */
export class NotificationListener {
  readonly #options: NotificationListenerOptions;
  readonly #waiters = new Set<() => void>();
  #client: pg.Client | undefined;
  #closed = false;
  #reconnectTimer: NodeJS.Timeout | undefined;
  #connections = 0;

  constructor(options: NotificationListenerOptions) {
    this.#options = options;
  }

  /** How many times the listener has connected, including reconnects. */
  get connections(): number {
    return this.#connections;
  }

  /** Opens the first connection; a failure here is the caller's to report. */
  async start(): Promise<void> {
    await this.#connect();
  }

  /** Resolves on the next notification or reconnect, after `pollMs`, or at once when `signal` aborts. */
  wait(signal: AbortSignal, pollMs: number): Promise<void> {
    return new Promise((resolve) => {
      if (signal.aborted || this.#closed) return resolve();
      const timer = setTimeout(wake, pollMs);
      const waiters = this.#waiters;
      function wake() {
        clearTimeout(timer);
        waiters.delete(wake);
        signal.removeEventListener('abort', wake);
        resolve();
      }
      waiters.add(wake);
      signal.addEventListener('abort', wake, { once: true });
    });
  }

  /** Wakes this process's waiters at once, without waiting for the notification to come back from the server. */
  wakeLocal(): void {
    this.#wakeAll();
  }

  /**
   * Runs one statement on the listening connection, which is otherwise idle; does nothing while it is reconnecting.
   * Sending NOTIFY here keeps it off the pool that appends use. The connection is in autocommit, so a statement that
   * fails can never leave it inside a transaction (where it would receive no notifications and send none). A statement
   * without an answer after `timeoutMs` ends the connection, which then reconnects: a connection that cannot answer
   * can neither deliver notifications nor send them, and a new one can.
   */
  async run(query: pg.QueryConfig, timeoutMs: number): Promise<void> {
    const client = this.#client;
    if (client === undefined) return;
    let timer: NodeJS.Timeout | undefined;
    const expired = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        void endClient(client);
        reject(new Error(`the listening connection gave no answer within ${timeoutMs} ms; reconnecting`));
      }, timeoutMs);
    });
    try {
      await Promise.race([client.query(query), expired]);
    } finally {
      clearTimeout(timer);
    }
  }

  /** Ends the connection, without waiting on one that does not answer, and wakes every waiter. */
  async close(): Promise<void> {
    this.#closed = true;
    clearTimeout(this.#reconnectTimer);
    this.#wakeAll();
    const client = this.#client;
    this.#client = undefined;
    if (client !== undefined) await endClient(client);
  }

  async #connect(): Promise<void> {
    const client = dedicatedClient(this.#options.client);
    // Without an error listener a dropped connection would crash the process; the 'end' handler reconnects.
    client.on('error', () => undefined);
    client.on('notification', () => this.#wakeAll());
    try {
      await client.connect();
      await client.query(`listen "${this.#options.channel}"`);
      // What this connection commits is only NOTIFY, a wake-up hint (see AppendNotifier): it need not wait for a WAL
      // flush. Set once for the session, so a notification is one autocommitted statement.
      await client.query('set synchronous_commit to off');
    } catch (error) {
      await endClient(client);
      throw error;
    }
    if (this.#closed) {
      await endClient(client);
      return;
    }
    this.#client = client;
    this.#connections++;
    client.once('end', () => {
      if (this.#client === client) this.#client = undefined;
      this.#scheduleReconnect(100);
    });
    // Notifications sent while no connection listened are lost, so waiters re-read after every (re)connect.
    this.#wakeAll();
  }

  #scheduleReconnect(delayMs: number): void {
    if (this.#closed) return;
    this.#reconnectTimer = setTimeout(() => {
      this.#connect().catch(() => this.#scheduleReconnect(Math.min(delayMs * 2, this.#options.maxBackoffMs ?? 5000)));
    }, delayMs);
  }

  #wakeAll(): void {
    for (const wake of [...this.#waiters]) wake();
  }
}
