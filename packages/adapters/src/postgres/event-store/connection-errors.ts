import { AccessDeniedError, StoreUnavailableError } from '@clusterconf/domain';

/** Where a store connects to, as far as the options tell. */
export interface Endpoint {
  readonly host?: string;
  readonly port?: number;
  readonly database?: string;
  readonly user?: string;
  readonly connectionString?: string;
}

/** `postgres://user:****@host:port/db`: never prints a password, so the text is safe for logs. */
export const describeEndpoint = (endpoint: Endpoint): string => {
  if (endpoint.connectionString !== undefined) {
    try {
      const url = new URL(endpoint.connectionString);
      if (url.password !== '') url.password = '****';
      url.search = '';
      return url.toString();
    } catch {
      return 'an unparseable connection string (expected postgres://user:password@host:port/database)';
    }
  }
  const user = endpoint.user ?? process.env.PGUSER ?? 'postgres';
  const host = endpoint.host ?? process.env.PGHOST ?? 'localhost';
  const port = endpoint.port ?? Number(process.env.PGPORT ?? 5432);
  const database = endpoint.database ?? process.env.PGDATABASE ?? user;
  return `postgres://${user}@${host}:${port}/${database}`;
};

const CONNECTION_CODES = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'ETIMEDOUT', 'ECONNRESET', 'EHOSTUNREACH', 'ENETUNREACH']);

/**
 * pg-pool's message when no connection could be checked out within `connectionTimeoutMillis`: every pooled connection
 * stayed busy, or a new one could not be opened in time. Either way the store cannot serve the call for now.
 */
const POOL_CHECKOUT_TIMEOUT = /timeout exceeded when trying to connect/i;

/** True for errors that mean the server went away or could not be reached, as opposed to a refused statement. */
export const isConnectionError = (error: unknown): boolean => {
  const code = (error as { code?: unknown } | undefined)?.code;
  if (typeof code === 'string' && (CONNECTION_CODES.has(code) || code.startsWith('08') || code === '57P01' || code === '57P02' || code === '57P03')) {
    return true;
  }
  const message = error instanceof Error ? error.message : '';
  return POOL_CHECKOUT_TIMEOUT.test(message) || /Connection terminated|timeout expired|Client has encountered a connection error|not queryable/i.test(message);
};

/** Maps a failure to connect to a typed error that names the endpoint (password masked) and what to check. */
export const connectionFailure = (error: unknown, endpoint: Endpoint): Error => {
  const where = describeEndpoint(endpoint);
  const code = (error as { code?: unknown } | undefined)?.code;
  const message = error instanceof Error ? error.message : String(error);
  if (code === '28P01' || code === '28000') return new AccessDeniedError('connect', where);
  if (code === '42501') return new AccessDeniedError('create or use the event-store schema', where);
  if (code === '3D000') {
    return new StoreUnavailableError(where, `the database does not exist (${message}); create it or fix the database name`, { cause: error });
  }
  if (POOL_CHECKOUT_TIMEOUT.test(message)) {
    return new StoreUnavailableError(where, `${message}: no pooled connection became free in time; raise poolSize or ` +
      `connectionTimeoutMillis, look for long transactions or slow queries holding connections, and check that ` +
      `PostgreSQL is running`, { cause: error });
  }
  if (isConnectionError(error)) {
    return new StoreUnavailableError(where, `${message}; check that PostgreSQL is running, listens on that host and port, ` +
      `and that no firewall blocks it`, { cause: error });
  }
  return error instanceof Error ? error : new Error(message);
};
