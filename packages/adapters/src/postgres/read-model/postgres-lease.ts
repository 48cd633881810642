import type pg from 'pg';
import { StoreClosedError, StoreUnavailableError } from '@clusterconf/domain';
import type { Lease } from '@clusterconf/projections';
import { dedicatedClient, endClient } from '../dedicated-client.js';

/** How a lease connects and how often it checks its connection. */
export interface PostgresLeaseSettings {
  readonly clientConfig: pg.ClientConfig;
  readonly schema: string;
  readonly heartbeatMs: number;
}

/** Heartbeats a lease session may miss before the server ends it: well past a busy event loop, far short of hours. */
const MISSED_HEARTBEATS = 10;

/**
 * Makes the server end a lease session whose holder went silent, which is what frees the lock for a standby. The
 * holder's heartbeats keep a live session from ever idling `MISSED_HEARTBEATS` intervals (`idle_session_timeout`,
 * PostgreSQL 14+), and TCP keepalive probes from the server find a peer whose network is gone within about 25 s.
 * Without them the server keeps a dead holder's session, and its lock, until the operating system's keepalive gives up:
 * two hours by default.
 */
const ENDS_WHEN_SILENT = `select set_config('tcp_keepalives_idle', '10', false), set_config('tcp_keepalives_interval', '5', false),
  set_config('tcp_keepalives_count', '3', false),
  case when current_setting('server_version_num')::int >= 140000 then set_config('idle_session_timeout', $1, false) end`;

/** One held lease: its session, and the queue of batch transactions that run on it. */
class LeaseSession {
  readonly abort = new AbortController();
  #tail: Promise<unknown> = Promise.resolve();
  #busy = 0;
  #ended = false;
  #timer: NodeJS.Timeout | undefined;

  constructor(
    readonly client: pg.Client,
    readonly namespace: string,
    private readonly schema: string,
    private readonly heartbeatMs: number,
    private readonly onEnd: (session: LeaseSession, reason: Error | undefined) => void,
  ) {
    client.on('error', (error: unknown) => this.lost(error));
    client.on('end', () => this.lost(new Error('the connection ended')));
    this.#beat();
  }

  get ended(): boolean {
    return this.#ended;
  }

  /**
   * Runs `work` on the lease's session, one at a time, so a batch commits only while the lock is certainly held. A
   * batch that gets no answer for as long as the server lets a silent session live (`MISSED_HEARTBEATS` heartbeats) is
   * on a connection that went silent: the lease is lost then, which drops the socket and fails the batch, rather than
   * the runner waiting on it for as long as the operating system keeps a dead connection (the heartbeat itself pauses
   * while a batch runs). Fencing makes a batch that still lands later harmless.
   */
  run<T>(work: (client: pg.Client) => Promise<T>): Promise<T> {
    const result = this.#tail.then(async () => {
      if (this.#ended) throw this.abort.signal.reason ?? new StoreClosedError(`The lease of ${this.namespace}`);
      this.#busy++;
      const limitMs = this.heartbeatMs * MISSED_HEARTBEATS;
      const deadline = setTimeout(() => this.lost(new Error(`a batch got no answer within ${limitMs} ms`)), limitMs);
      deadline.unref();
      try {
        return await work(this.client);
      } finally {
        clearTimeout(deadline);
        this.#busy--;
      }
    });
    this.#tail = result.catch(() => undefined);
    return result;
  }

  lost(cause: unknown): void {
    void this.end(new StoreUnavailableError(`postgres schema "${this.schema}"`, `the lease connection of ${this.namespace} failed ` +
      `(${cause instanceof Error ? cause.message : String(cause)}); another runner may take over`, { cause }));
  }

  async end(reason: Error | undefined): Promise<void> {
    if (this.#ended) return;
    this.#ended = true;
    clearTimeout(this.#timer);
    if (reason !== undefined) this.abort.abort(reason);
    this.onEnd(this, reason);
    // Ending the session is what releases the advisory lock on the server; a connection that does not answer is
    // dropped rather than waited for, and its session ends when the server notices.
    await endClient(this.client);
  }

  /** Checks the idle session every `heartbeatMs`; a batch running on it is a check of its own. */
  #beat(): void {
    this.#timer = setTimeout(() => {
      if (this.#ended) return;
      if (this.#busy > 0) return this.#beat();
      let answered = false;
      const deadline = setTimeout(() => {
        if (!answered) this.lost(new Error(`no answer to a heartbeat within ${this.heartbeatMs} ms`));
      }, this.heartbeatMs);
      deadline.unref();
      this.client.query('select 1').then(
        () => {
          answered = true;
          clearTimeout(deadline);
          if (!this.#ended) this.#beat();
        },
        (error: unknown) => {
          answered = true;
          clearTimeout(deadline);
          this.lost(error);
        },
      );
    }, this.heartbeatMs);
    this.#timer.unref();
  }
}

/**
 * The leases one store holds. A lease is a session-level `pg_try_advisory_lock` held on a dedicated connection for
 * the lease's life: the server releases it when that session ends, so a holder that dies or loses its network loses
 * the lock, and a standby's next try wins. The key is (hashtext(schema), hashtext(namespace)); two namespaces whose
 * hashes collide merely exclude each other.
 *
 * While a lease is held, the store commits that namespace's batches on the lease's own session. That is the fence:
 * a session that lost its lock is a dead session, so a holder that lost its lease cannot commit even one more batch,
 * however late it notices. `lost` aborts when the connection reports an error or ends, or when a heartbeat
 * (`select 1`, while idle) fails or does not answer within the heartbeat interval; the connection is then closed.
 */
export class PostgresLeases {
  readonly #settings: PostgresLeaseSettings;
  readonly #sessions = new Map<string, LeaseSession>();
  /** Why this store's lease on a namespace was lost, until it takes or releases the lease again. */
  readonly #lost = new Map<string, Error>();

  constructor(settings: PostgresLeaseSettings) {
    this.#settings = settings;
  }

  /** Tries the namespace's advisory lock without waiting; `undefined` when another session holds it. */
  async acquire(namespace: string, owner: string): Promise<Lease | undefined> {
    const { clientConfig, schema, heartbeatMs } = this.#settings;
    if (this.#sessions.get(namespace)?.ended === false) return undefined;
    const client = dedicatedClient({ ...clientConfig, application_name: `clusterconf-lease:${namespace}`.slice(0, 63) });
    const early = (): void => undefined;
    client.on('error', early);
    try {
      await client.connect();
      await client.query(ENDS_WHEN_SILENT, [String(Math.ceil(heartbeatMs * MISSED_HEARTBEATS))]);
      const { rows } = await client.query<{ locked: boolean }>('select pg_try_advisory_lock(hashtext($1), hashtext($2)) as locked', [schema, namespace]);
      if (!rows[0]!.locked) {
        await endClient(client);
        return undefined;
      }
    } catch (error) {
      await endClient(client);
      throw new StoreUnavailableError(`postgres schema "${schema}"`, `could not take the lease of ${namespace}: ` +
        `${(error as Error).message}; check that PostgreSQL is reachable`, { cause: error });
    } finally {
      client.off('error', early);
    }
    const session = new LeaseSession(client, namespace, schema, heartbeatMs, (ended, reason) => {
      if (this.#sessions.get(namespace) !== ended) return;
      this.#sessions.delete(namespace);
      if (reason !== undefined) this.#lost.set(namespace, reason);
    });
    this.#lost.delete(namespace);
    this.#sessions.set(namespace, session);
    return {
      namespace,
      owner,
      lost: session.abort.signal,
      release: async () => {
        if (this.#sessions.get(namespace) === session || !this.#sessions.has(namespace)) this.#lost.delete(namespace);
        await session.end(undefined);
      },
    };
  }

  /**
   * Where a batch of `namespace` must commit: the lease's session while this store holds the lease, `undefined`
   * (any pooled connection) when it never took one. Throws the reason when the lease was lost and not taken or
   * released since: the batch must not reach the database by another connection.
   */
  sessionFor(namespace: string): LeaseSession | undefined {
    const lost = this.#lost.get(namespace);
    if (lost !== undefined) throw lost;
    const session = this.#sessions.get(namespace);
    return session?.ended === false ? session : undefined;
  }

  /** Ends every lease of a closing store; their holders see `lost` abort. */
  async closeAll(what: string): Promise<void> {
    await Promise.all([...this.#sessions.values()].map((session) => session.end(new StoreClosedError(what))));
  }
}
