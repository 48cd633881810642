import pg from 'pg';

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
   * Runs a statement on the listening connection, which is otherwise idle; does nothing while it is reconnecting.
   * Sending NOTIFY here keeps it off the pool that appends use.
   */
  async run(statement: string): Promise<void> {
    await this.#client?.query(statement);
  }

  /** Ends the connection and wakes every waiter. */
  async close(): Promise<void> {
    this.#closed = true;
    clearTimeout(this.#reconnectTimer);
    this.#wakeAll();
    const client = this.#client;
    this.#client = undefined;
    await client?.end().catch(() => undefined);
  }

  async #connect(): Promise<void> {
    const client = new pg.Client(this.#options.client);
    // Without an error listener a dropped connection would crash the process; the 'end' handler reconnects.
    client.on('error', () => undefined);
    client.on('notification', () => this.#wakeAll());
    try {
      await client.connect();
      await client.query(`listen "${this.#options.channel}"`);
    } catch (error) {
      await client.end().catch(() => undefined);
      throw error;
    }
    if (this.#closed) {
      await client.end().catch(() => undefined);
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
