import { createRequire } from 'node:module';
import type { EventStoreDBClientLike } from './client-seam.js';
import type { ClientPackage } from './client-package.js';
import { ClientPackageUnavailableError } from './client-package-unavailable-error.js';

/**
 * Loads the client package a connection string needs, only when it is needed: a user of @eventstore/db-client never
 * installs @kurrent/kurrentdb-client, and the other way round. Loading only the one in use also matters at run time:
 * both packages register their generated gRPC messages under the same global google-protobuf names
 * (`proto.event_store.client.streams.*`), so with both loaded in one process the one loaded first breaks.
 */

/** What the adapter takes from a client package: the client class, which parses connection strings. */
export interface ClientClass {
  connectionString(connectionString: string): unknown;
}

/** The class each package exports. */
const CLIENT_CLASS: Readonly<Record<ClientPackage, string>> = {
  '@eventstore/db-client': 'EventStoreDBClient',
  '@kurrent/kurrentdb-client': 'KurrentDBClient',
};

const MISSING = /^Cannot find (?:package|module) '([^']+)'/;

/**
 * The error for a package that failed to load: not installed when Node says that package itself cannot be found
 * (not a file or dependency inside it, which means an incomplete install).
 */
export const clientPackageFailure = (packageName: string, endpoint: string, error: unknown): ClientPackageUnavailableError => {
  const code = (error as { code?: unknown } | undefined)?.code;
  const missing = error instanceof Error && (code === 'ERR_MODULE_NOT_FOUND' || code === 'MODULE_NOT_FOUND') ? MISSING.exec(error.message)?.[1] : undefined;
  return new ClientPackageUnavailableError(packageName, endpoint, missing === packageName, { cause: error });
};

const clientClassOf = (clientPackage: ClientPackage, module: unknown): ClientClass => {
  const exported = (module as Record<string, unknown>)[CLIENT_CLASS[clientPackage]] as ClientClass | undefined;
  if (typeof exported?.connectionString !== 'function') {
    throw new Error(`${clientPackage} exports no ${CLIENT_CLASS[clientPackage]} with connectionString(); is it a supported version?`);
  }
  return exported;
};

const require = createRequire(import.meta.url);

/** The client class of `clientPackage`, loaded synchronously (both packages are CommonJS), for the store's constructor. */
export const requireClientClass = (clientPackage: ClientPackage, endpoint: string): ClientClass => {
  let module: unknown;
  try {
    module = require(clientPackage);
  } catch (error) {
    throw clientPackageFailure(clientPackage, endpoint, error);
  }
  return clientClassOf(clientPackage, module);
};

/** The client class of `clientPackage`, loaded by dynamic import, for `EventStoreDBEventStore.connect`. */
export const importClientClass = async (clientPackage: ClientPackage, endpoint: string): Promise<ClientClass> => {
  let module: unknown;
  try {
    // One literal import per package, so that bundlers can see them.
    module = clientPackage === '@kurrent/kurrentdb-client' ? await import('@kurrent/kurrentdb-client') : await import('@eventstore/db-client');
  } catch (error) {
    throw clientPackageFailure(clientPackage, endpoint, error);
  }
  return clientClassOf(clientPackage, module);
};

/** Creates a client from a checked connection string, rethrowing a parse error through `parseError`. */
export const clientFrom = (clientClass: ClientClass, connectionString: string, parseError: (cause: unknown) => Error): EventStoreDBClientLike => {
  try {
    return clientClass.connectionString(connectionString) as EventStoreDBClientLike;
  } catch (cause) {
    throw parseError(cause);
  }
};
