import pg from 'pg';
import { StoreClosedError, StoreUnavailableError } from '@clusterconf/domain';
import type { Lease } from '@clusterconf/projections';

/** How a lease connects and how often it checks its connection. */
export interface PostgresLeaseSettings {
  readonly clientConfig: pg.ClientConfig;
  readonly schema: string;
  readonly heartbeatMs: number;
}

/**
 * The leases one store has handed out. A lease is a session-level `pg_try_advisory_lock` held on a dedicated
 * connection for the lease's life: the server releases it when that session ends, so a holder that dies or loses
 * its network loses the lock, and a standby's next try wins. The key is (hashtext(schema), hashtext(namespace));
 * two namespaces whose hashes collide merely exclude each other.
 * `lost` aborts when the connection reports an error or ends, or when a heartbeat (`select 1`) fails or does not
 * answer within the heartbeat interval; the connection is then closed, so the server drops the lock too.
 */
export class PostgresLeases {
  readonly #settings: PostgresLeaseSettings;
  readonly #held = new Set<(reason: Error) => Promise<void>>();

  constructor(settings: PostgresLeaseSettings) {
    this.#settings = settings;
  }

  /** Tries the namespace's advisory lock without waiting; `undefined` when another session holds it. */
  async acquire(namespace: string, owner: string): Promise<Lease | undefined> {
    const { clientConfig, schema, heartbeatMs } = this.#settings;
    const client = new pg.Client({ ...clientConfig, application_name: `clusterconf-lease:${namespace}`.slice(0, 63) });
    const early = (): void => undefined;
    client.on('error', early);
    try {
      await client.connect();
      const { rows } = await client.query<{ locked: boolean }>('select pg_try_advisory_lock(hashtext($1), hashtext($2)) as locked', [schema, namespace]);
      if (!rows[0]!.locked) {
        await client.end();
        return undefined;
      }
    } catch (error) {
      await client.end().catch(() => undefined);
      throw new StoreUnavailableError(`postgres schema "${schema}"`, `could not take the lease of ${namespace}: ` +
        `${(error as Error).message}; check that PostgreSQL is reachable`, { cause: error });
    }
    client.off('error', early);

    const abort = new AbortController();
    let ended = false;
    let timer: NodeJS.Timeout | undefined;
    const end = async (reason: Error | undefined): Promise<void> => {
      if (ended) return;
      ended = true;
      clearTimeout(timer);
      this.#held.delete(end);
      if (reason !== undefined) abort.abort(reason);
      // Ending the session is what releases the advisory lock on the server.
      await client.end().catch(() => undefined);
    };
    const lost = (cause: unknown): void => {
      void end(new StoreUnavailableError(`postgres schema "${schema}"`, `the lease connection of ${namespace} failed ` +
        `(${cause instanceof Error ? cause.message : String(cause)}); another runner may take over`, { cause }));
    };
    client.on('error', lost);
    client.on('end', () => lost(new Error('the connection ended')));
    const beat = (): void => {
      timer = setTimeout(() => {
        let answered = false;
        const deadline = setTimeout(() => {
          if (!answered) lost(new Error(`no answer to a heartbeat within ${heartbeatMs} ms`));
        }, heartbeatMs);
        deadline.unref();
        client.query('select 1').then(
          () => {
            answered = true;
            clearTimeout(deadline);
            if (!ended) beat();
          },
          (error: unknown) => {
            answered = true;
            clearTimeout(deadline);
            lost(error);
          },
        );
      }, heartbeatMs);
      timer.unref();
    };
    beat();
    this.#held.add(end);
    return { namespace, owner, lost: abort.signal, release: () => end(undefined) };
  }

  /** Ends every lease of a closing store; their holders see `lost` abort. */
  async closeAll(what: string): Promise<void> {
    await Promise.all([...this.#held].map((end) => end(new StoreClosedError(what))));
  }
}
