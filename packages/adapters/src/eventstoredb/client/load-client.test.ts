import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { ClientPackageUnavailableError } from './client-package-unavailable-error.js';
import { clientPackageFailure } from './load-client.js';

/** The error Node itself raises for a package that is not installed, through require and through import(). */
const notInstalled = async (name: string): Promise<unknown[]> => {
  const errors: unknown[] = [];
  try {
    createRequire(import.meta.url)(name);
  } catch (error) {
    errors.push(error);
  }
  await import(/* @vite-ignore */ name).catch((error: unknown) => errors.push(error));
  return errors;
};

describe('loading a client package', () => {
  it('reports a package Node cannot find as not installed, naming the package, the install command and the alternative', async () => {
    const errors = await notInstalled('@clusterconf/absent-client');
    expect(errors).toHaveLength(2);
    for (const error of errors) {
      const failure = clientPackageFailure('@clusterconf/absent-client', 'kurrentdb://db:2113', error);
      expect(failure).toBeInstanceOf(ClientPackageUnavailableError);
      expect(failure).toMatchObject({ code: 'CLIENT_PACKAGE_UNAVAILABLE', notInstalled: true, cause: error });
      expect(failure.message).toContain('Connecting to kurrentdb://db:2113 needs the npm package @clusterconf/absent-client, which is not installed');
    }
    const kurrent = clientPackageFailure('@kurrent/kurrentdb-client', 'kurrentdb://db:2113', Object.assign(new Error("Cannot find package '@kurrent/kurrentdb-client' imported from /app/x.js"), { code: 'ERR_MODULE_NOT_FOUND' }));
    expect(kurrent.message).toContain('`npm install @kurrent/kurrentdb-client@^1.3.1`');
    expect(kurrent.message).toContain("clientPackage: '@eventstore/db-client'");
  });

  it('reports a package whose own dependency is missing as installed but failed to load, quoting the cause', async () => {
    // The KurrentDB client without its Rust bridge: Node names the bridge, not the client.
    const [missingDependency] = await notInstalled('@kurrent/bridge-absent-platform');
    const failure = clientPackageFailure('@kurrent/kurrentdb-client', 'kurrentdb://db:2113', missingDependency);
    expect(failure.notInstalled).toBe(false);
    expect(failure.message).toContain('which is installed but failed to load (Cannot find module \'@kurrent/bridge-absent-platform\'');
    expect(failure.message).toContain('@kurrent/bridge-<platform>');
    expect(clientPackageFailure('@eventstore/db-client', 'esdb://db:2113', new Error('boom')).message).toContain('failed to load (boom)');
  });
});
