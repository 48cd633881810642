import { ClusterconfError } from '@clusterconf/domain';
import { CLIENT_PACKAGE_RANGES, type ClientPackage, EVENTSTORE_DB_CLIENT, KURRENTDB_CLIENT } from './client-package.js';

/** What to do instead of installing the package. */
const ALTERNATIVE: Readonly<Record<ClientPackage, string>> = {
  '@eventstore/db-client': `or connect with a kurrentdb:// string, which @kurrent/kurrentdb-client opens`,
  '@kurrent/kurrentdb-client':
    `or connect through @eventstore/db-client instead: an esdb:// string, or clientPackage: '${EVENTSTORE_DB_CLIENT}'`,
};

/** The client package a connection string needs could not be loaded: it is not installed, or not completely. */
export class ClientPackageUnavailableError extends ClusterconfError {
  readonly code = 'CLIENT_PACKAGE_UNAVAILABLE';
  constructor(
    readonly packageName: string,
    /** The connection string's endpoint, password masked. */
    readonly endpoint: string,
    /** True when the package itself is missing; false when it is there but failed to load (a dependency of its, say). */
    readonly notInstalled: boolean,
    options?: { cause?: unknown },
  ) {
    const range = CLIENT_PACKAGE_RANGES[packageName as ClientPackage];
    const install = `npm install ${packageName}${range === undefined ? '' : `@${range}`}`;
    const alternative = ALTERNATIVE[packageName as ClientPackage];
    const instead = alternative === undefined ? '' : `, ${alternative}`;
    const cause = options?.cause instanceof Error ? options.cause.message.split('\n')[0] : String(options?.cause);
    const platform = packageName === KURRENTDB_CLIENT ? ', including the build of its Rust bridge for this platform (@kurrent/bridge-<platform>)' : '';
    super(
      notInstalled
        ? `Connecting to ${endpoint} needs the npm package ${packageName}, which is not installed (it is an optional ` +
            `peer dependency of @clusterconf/adapters): run \`${install}\`${instead}`
        : `Connecting to ${endpoint} needs the npm package ${packageName}, which is installed but failed to load ` +
            `(${cause}): reinstall it with \`${install}\` so that its own dependencies${platform} are installed too${instead}`,
      options,
    );
  }
}
