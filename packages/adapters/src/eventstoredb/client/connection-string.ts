import { ClusterconfError } from '@clusterconf/domain';
import { hasKnownScheme, KNOWN_SCHEMES } from './client-package.js';

/** A connection string refused before any connection was attempted. */
export class InvalidConnectionStringError extends ClusterconfError {
  readonly code = 'INVALID_CONNECTION_STRING';
  constructor(readonly maskedConnectionString: string, readonly reason: string, options?: { cause?: unknown }) {
    super(
      `The EventStoreDB connection string ${JSON.stringify(maskedConnectionString)} is malformed: ${reason}. ` +
        `Expected the form esdb://[user:password@]host:port[,host:port...][?tls=false&...], or the same with ` +
        `kurrentdb://, e.g. esdb://localhost:2113?tls=false or kurrentdb://localhost:2113?tls=false`,
      options,
    );
  }
}

const ANY_SCHEME = /^[a-z0-9+]+:\/\//i;
/** Where the options begin: the last `?key=`, so that a `?` inside a password is not taken for it. */
const QUERY = /\?[a-z][a-z0-9_-]*=(?!.*\?[a-z][a-z0-9_-]*=)/i;

/** A connection string taken apart around its credentials. */
interface CredentialsSplit {
  readonly scheme: string;
  /** `user:password` (or `user`), undefined when there are none. */
  readonly credentials: string | undefined;
  /** Hosts, path and options. */
  readonly rest: string;
}

/**
 * Splits off the credentials at the last `@` before the options. A password may hold `/`, `?`, `:` or even `@`
 * (the client's own parser stops at the first `@`), while hosts never hold `@`; the options are left out of the
 * search because their values (a tlsCAFile path, say) may.
 */
const splitCredentials = (connectionString: string): CredentialsSplit | undefined => {
  const scheme = ANY_SCHEME.exec(connectionString)?.[0];
  if (scheme === undefined) return undefined;
  const afterScheme = connectionString.slice(scheme.length);
  const query = QUERY.exec(afterScheme)?.index ?? afterScheme.length;
  // No `@` before the options: a password holding `?key=` could have been taken for them, so the last `@` of all
  // ends the credentials. That masks too much for a string without credentials whose options hold an `@`, never too little.
  const before = query > 0 ? afterScheme.lastIndexOf('@', query - 1) : -1;
  const at = before >= 0 ? before : afterScheme.lastIndexOf('@');
  if (at < 0) return { scheme, credentials: undefined, rest: afterScheme };
  return { scheme, credentials: afterScheme.slice(0, at), rest: afterScheme.slice(at + 1) };
};

/** The password in a connection string, if it has one. */
const passwordOf = (connectionString: string): string | undefined => {
  const credentials = splitCredentials(connectionString)?.credentials;
  const colon = credentials?.indexOf(':') ?? -1;
  return colon < 0 ? undefined : credentials!.slice(colon + 1);
};

/** The connection string with any password replaced by `***`, safe for messages and logs. */
export const maskConnectionString = (connectionString: string): string => {
  const split = splitCredentials(connectionString);
  if (split?.credentials === undefined) return connectionString;
  const colon = split.credentials.indexOf(':');
  return `${split.scheme}${colon < 0 ? split.credentials : `${split.credentials.slice(0, colon)}:***`}@${split.rest}`;
};

/** The endpoint part of a connection string (scheme, masked credentials, hosts), without its query. */
export const endpointOf = (connectionString: string): string => maskConnectionString(connectionString).split('?')[0]!.replace(/\/$/, '');

/**
 * Checks the parts the adapter depends on before the client parses the string: a string, a scheme one of the client
 * packages parses, at least one host. The client's own parser checks the rest; its errors are rethrown with the password masked.
 */
export const assertConnectionString = (connectionString: unknown): string => {
  if (typeof connectionString !== 'string') {
    throw new InvalidConnectionStringError(String(connectionString), `expected a string, got ${typeof connectionString}`);
  }
  const trimmed = connectionString.trim();
  const masked = maskConnectionString(trimmed);
  if (!hasKnownScheme(trimmed)) throw new InvalidConnectionStringError(masked, `it must start with one of ${KNOWN_SCHEMES}`);
  const hosts = splitCredentials(trimmed)!.rest.split(/[/?]/)[0]!;
  if (hosts.length === 0 || hosts.split(',').some((host) => host.length === 0)) {
    throw new InvalidConnectionStringError(masked, 'it names no host, or an empty one between commas');
  }
  return trimmed;
};

/** The part after `scheme://`, which the adapter never rewrites. */
const afterScheme = (connectionString: string): string => connectionString.slice(connectionString.indexOf('://') + 3);

/**
 * What to say when @kurrent/kurrentdb-client's Rust bridge refuses a string its JavaScript parser accepted: the
 * bridge's ParseError message is the whole string and nothing else. In our runs it refused a `/` or `?` in the
 * password, which the JavaScript parsers (and @eventstore/db-client) take as they are.
 */
const BRIDGE_REFUSAL =
  "the KurrentDB client's connection-string parser (its Rust bridge) refused it without saying why; percent-encode " +
  'any "/", "?", "#", "@" or ":" in the user name and password (%2F, %3F, %23, %40, %3A), and check hosts and options';

/**
 * Rewrites a client parse error so its message never carries the password: the password is cut out, and when the
 * client quotes a piece of the credentials (it splits them at the first `@`, so part of a password with `@` can end
 * up quoted as a host), the quote is left out.
 */
export const connectionStringParseError = (connectionString: string, cause: unknown): InvalidConnectionStringError => {
  const password = passwordOf(connectionString);
  const message = cause instanceof Error ? cause.message : String(cause);
  if (afterScheme(message.trim()) === afterScheme(connectionString)) {
    return new InvalidConnectionStringError(maskConnectionString(connectionString), BRIDGE_REFUSAL);
  }
  let safe = password ? message.split(password).join('***') : message;
  const location = (cause as { location?: unknown }).location;
  const split = splitCredentials(connectionString);
  if (password && split?.credentials !== undefined && Array.isArray(location) && typeof location[0] === 'number') {
    const credentialsEnd = split.scheme.length + split.credentials.length + 1;
    if (location[0] < credentialsEnd) safe = `the client could not parse it near the credentials (position ${location[0]})`;
  }
  return new InvalidConnectionStringError(maskConnectionString(connectionString), safe.replace(/\.$/, ''));
};
