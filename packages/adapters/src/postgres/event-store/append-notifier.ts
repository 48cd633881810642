import type { NotificationListener } from './notification-listener.js';

/**
 * Tells other processes' subscribers that appends committed, with NOTIFY sent after the append's commit rather than
 * inside its transaction. PostgreSQL holds one database-wide lock from a notifying transaction's commit until it has
 * flushed, so NOTIFY inside every append would serialise all appenders' commits and defeat group commit (measured:
 * 8 concurrent single-event appenders ran at a fifth of the bare rate). Here notifications are coalesced (at most
 * one in flight; appends during it cause exactly one more) and commit asynchronously (the listening connection sets
 * `synchronous_commit` off for its session): the notification is only a wake-up hint, the events were made durable by
 * the append itself. Because one is always sent after the last commit, a woken reader finds every row that committed
 * before it; readers also poll, so a lost one only delays.
 * They go over the store's listening connection, not the pool: on the pool they took connections from appenders
 * (measured: a third of the 8-connection append rate). Each is one autocommitted statement, so a failed one leaves
 * nothing behind, and one without an answer within `NOTIFY_TIMEOUT_MS` ends the connection, which reconnects.
 */
/** How long appends are gathered before one notification goes out; other processes' subscribers lag by this. */
const COALESCE_MS = 5;

/** How long one notification may take before its connection is given up (a healthy one takes about a millisecond). */
const NOTIFY_TIMEOUT_MS = 2_000;

export class AppendNotifier {
  readonly #connection: NotificationListener;
  readonly #channel: string;
  #inFlight: Promise<void> | undefined;
  #again = false;

  /** `channel` is the channel the store's listeners LISTEN on. */
  constructor(connection: NotificationListener, channel: string) {
    this.#connection = connection;
    this.#channel = channel;
  }

  /** Schedules a notification after appends that have already committed. */
  notify(): void {
    if (this.#inFlight) {
      this.#again = true;
      return;
    }
    this.#inFlight = this.#send();
  }

  /** Waits a moment first, so a burst of appends shares one notification (each costs about one more commit). */
  async #coalesce(): Promise<void> {
    await new Promise((resolve) => setTimeout(resolve, COALESCE_MS));
  }

  /** Waits for the notification in flight, if any, but no longer than `timeoutMs`. */
  async flush(timeoutMs: number): Promise<void> {
    const inFlight = this.#inFlight;
    if (inFlight === undefined) return;
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([inFlight, new Promise((resolve) => (timer = setTimeout(resolve, timeoutMs)))]);
    clearTimeout(timer);
  }

  async #send(): Promise<void> {
    do {
      await this.#coalesce();
      this.#again = false;
      // A failed notification only delays other processes' subscribers until their next poll.
      await this.#connection.run({ text: "select pg_notify($1, '')", values: [this.#channel] }, NOTIFY_TIMEOUT_MS).catch(() => undefined);
    } while (this.#again);
    this.#inFlight = undefined;
  }
}
