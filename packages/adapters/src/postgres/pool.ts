import pg from 'pg';
import type { Endpoint } from './event-store/connection-errors.js';

/** How a PostgreSQL store gets its connections: a connection string it pools itself, or a pool the caller owns. */
export interface PoolOptions {
  /** `postgres://user:password@host:port/database`; ignored when `pool` is given. PG* variables fill the gaps. */
  readonly connectionString?: string;
  /** A pool to use instead of creating one; the store does not end it on close. */
  readonly pool?: pg.Pool;
  /** Connections of the pool the store creates; default 10. */
  readonly poolSize?: number;
  /** How long to wait for a connection before reporting the server unavailable; default 10 000 ms. */
  readonly connectionTimeoutMillis?: number;
}

/** The pool a store uses, whether it must end it, and the endpoint to name in errors. */
export interface StorePool {
  readonly pool: pg.Pool;
  readonly ownsPool: boolean;
  readonly endpoint: Endpoint;
}

/** Uses the caller's pool or creates one from the connection string. */
export const storePool = (options: PoolOptions): StorePool => {
  const ownsPool = options.pool === undefined;
  const pool =
    options.pool ??
    new pg.Pool({
      connectionString: options.connectionString,
      max: options.poolSize ?? 10,
      connectionTimeoutMillis: options.connectionTimeoutMillis ?? 10_000,
    });
  // An idle pooled connection that the server drops is discarded by the pool; the next query opens a new one.
  pool.on('error', () => undefined);
  const endpoint: Endpoint = ownsPool && options.connectionString !== undefined ? { connectionString: options.connectionString } : pool.options;
  return { pool, ownsPool, endpoint };
};
