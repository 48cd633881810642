/**
 * Which npm package a connection string is opened with. The schemes of @eventstore/db-client 6.x (`esdb://`,
 * `esdb+discover://`) open it; those of @kurrent/kurrentdb-client 1.x (`kurrentdb://`, `kurrent://`, `kdb://`, each
 * also `+discover`) open the KurrentDB client. Both parse the rest of the string the same way (credentials, hosts,
 * the same option keys), so a string can be opened with the other package by rewriting only its scheme.
 */

/** The client packages the adapter can open a connection string with. */
export type ClientPackage = '@eventstore/db-client' | '@kurrent/kurrentdb-client';

export const EVENTSTORE_DB_CLIENT: ClientPackage = '@eventstore/db-client';
export const KURRENTDB_CLIENT: ClientPackage = '@kurrent/kurrentdb-client';

/** The version range each package is tested with, for install advice. */
export const CLIENT_PACKAGE_RANGES: Readonly<Record<ClientPackage, string>> = {
  '@eventstore/db-client': '^6.2.1',
  '@kurrent/kurrentdb-client': '^1.3.1',
};

/** Schemes (without `+discover`) and the package each one opens by default. */
const SCHEME_PACKAGES: Readonly<Record<string, ClientPackage>> = {
  esdb: EVENTSTORE_DB_CLIENT,
  kurrentdb: KURRENTDB_CLIENT,
  kurrent: KURRENTDB_CLIENT,
  kdb: KURRENTDB_CLIENT,
};

/** Every scheme the adapter accepts, as written in messages. */
export const KNOWN_SCHEMES = 'esdb://, esdb+discover:// (@eventstore/db-client), kurrentdb://, kurrentdb+discover://, kurrent://, kdb:// and their +discover forms (@kurrent/kurrentdb-client)';

const SCHEME = /^([a-z]+)(\+discover)?:\/\//i;

/** The scheme's base name (`esdb`, `kurrentdb`, ...) and whether it asks for discovery; undefined for another scheme. */
const schemeOf = (connectionString: string): { readonly base: string; readonly discover: boolean; readonly length: number } | undefined => {
  const match = SCHEME.exec(connectionString);
  const base = match?.[1]?.toLowerCase();
  if (match === null || base === undefined || SCHEME_PACKAGES[base] === undefined) return undefined;
  return { base, discover: match[2] !== undefined, length: match[0].length };
};

/** True when the connection string starts with a scheme one of the client packages parses. */
export const hasKnownScheme = (connectionString: string): boolean => schemeOf(connectionString) !== undefined;

/** Checks a `clientPackage` option; undefined stays undefined (the scheme decides). */
export const assertClientPackage = (chosen: unknown): ClientPackage | undefined => {
  if (chosen === undefined || chosen === EVENTSTORE_DB_CLIENT || chosen === KURRENTDB_CLIENT) return chosen;
  throw new TypeError(
    `clientPackage must be '${EVENTSTORE_DB_CLIENT}' or '${KURRENTDB_CLIENT}', got ${JSON.stringify(chosen)}; ` +
      `leave it out to let the connection string's scheme decide (esdb:// opens the first, kurrentdb:// the second)`,
  );
};

/** The package a checked connection string opens: `chosen` if given, else the one its scheme belongs to. */
export const clientPackageFor = (connectionString: string, chosen?: ClientPackage): ClientPackage => {
  const scheme = schemeOf(connectionString);
  if (scheme === undefined) throw new Error(`clientPackageFor needs a checked connection string (assertConnectionString)`);
  return chosen ?? SCHEME_PACKAGES[scheme.base]!;
};

/**
 * The connection string in a scheme `clientPackage` parses: `esdb` for @eventstore/db-client (which knows no other),
 * `kurrentdb` for @kurrent/kurrentdb-client (which still parses `esdb` but warns on the console that it is
 * deprecated, at every connection). `+discover` and everything after the scheme are kept.
 */
export const inSchemeOf = (clientPackage: ClientPackage, connectionString: string): string => {
  const scheme = schemeOf(connectionString);
  if (scheme === undefined) return connectionString;
  const base = clientPackage === EVENTSTORE_DB_CLIENT ? 'esdb' : scheme.base === 'esdb' ? 'kurrentdb' : scheme.base;
  return `${base}${scheme.discover ? '+discover' : ''}://${connectionString.slice(scheme.length)}`;
};
