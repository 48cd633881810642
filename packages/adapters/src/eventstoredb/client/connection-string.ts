import { ClusterconfError } from '@clusterconf/domain';

/** A connection string refused before any connection was attempted. */
export class InvalidConnectionStringError extends ClusterconfError {
  readonly code = 'INVALID_CONNECTION_STRING';
  constructor(readonly maskedConnectionString: string, readonly reason: string, options?: { cause?: unknown }) {
    super(
      `The EventStoreDB connection string ${JSON.stringify(maskedConnectionString)} is malformed: ${reason}. ` +
        `Expected the form esdb://[user:password@]host:port[,host:port...][?tls=false&...], e.g. esdb://localhost:2113?tls=false`,
      options,
    );
  }
}

/** The schemes @eventstore/db-client parses; a kurrentdb:// string needs a KurrentDBClient handed in instead. */
const SCHEME = /^(esdb|esdb\+discover):\/\//i;
const CREDENTIALS = /^([a-z0-9+]+:\/\/)([^@/?]*)@/i;

/** The connection string with any password replaced by `***`, safe for messages and logs. */
export const maskConnectionString = (connectionString: string): string =>
  connectionString.replace(CREDENTIALS, (_match, scheme: string, credentials: string) => {
    const colon = credentials.indexOf(':');
    return `${scheme}${colon < 0 ? credentials : `${credentials.slice(0, colon)}:***`}@`;
  });

/** The endpoint part of a connection string (scheme, masked credentials, hosts), without its query. */
export const endpointOf = (connectionString: string): string => maskConnectionString(connectionString).split('?')[0]!.replace(/\/$/, '');

/**
 * Checks the parts the adapter depends on before the client parses the string: a string, a known scheme, at least
 * one host. The client's own parser checks the rest; its errors are rethrown with the password masked.
 */
export const assertConnectionString = (connectionString: unknown): string => {
  if (typeof connectionString !== 'string') {
    throw new InvalidConnectionStringError(String(connectionString), `expected a string, got ${typeof connectionString}`);
  }
  const masked = maskConnectionString(connectionString.trim());
  if (!SCHEME.test(connectionString.trim())) {
    throw new InvalidConnectionStringError(masked, 'it must start with esdb:// or esdb+discover:// (for a kurrentdb:// string, hand in a KurrentDBClient instead)');
  }
  const hosts = connectionString.trim().replace(SCHEME, '').replace(/^[^@/?]*@/, '').split(/[/?]/)[0]!;
  if (hosts.length === 0 || hosts.split(',').some((host) => host.length === 0)) {
    throw new InvalidConnectionStringError(masked, 'it names no host, or an empty one between commas');
  }
  return connectionString.trim();
};

/** Rewrites a client parse error so its message never carries the password. */
export const connectionStringParseError = (connectionString: string, cause: unknown): InvalidConnectionStringError => {
  const password = CREDENTIALS.exec(connectionString)?.[2]?.split(':').slice(1).join(':');
  const message = cause instanceof Error ? cause.message : String(cause);
  const safe = password ? message.split(password).join('***') : message;
  return new InvalidConnectionStringError(maskConnectionString(connectionString), safe.replace(/\.$/, ''));
};
