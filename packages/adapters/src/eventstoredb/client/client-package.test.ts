import { describe, expect, it } from 'vitest';
import { assertClientPackage, clientPackageFor, inSchemeOf } from './client-package.js';

describe('which client package opens a connection string', () => {
  it('follows the scheme: esdb for @eventstore/db-client, kurrentdb, kurrent and kdb for @kurrent/kurrentdb-client', () => {
    expect(clientPackageFor('esdb://h:2113')).toBe('@eventstore/db-client');
    expect(clientPackageFor('ESDB+discover://h:2113')).toBe('@eventstore/db-client');
    for (const scheme of ['kurrentdb', 'kurrentdb+discover', 'kurrent', 'kurrent+discover', 'kdb', 'KDB+discover']) {
      expect(clientPackageFor(`${scheme}://h:2113`)).toBe('@kurrent/kurrentdb-client');
    }
  });

  it('lets an explicit clientPackage open either scheme', () => {
    expect(clientPackageFor('esdb://h:2113', '@kurrent/kurrentdb-client')).toBe('@kurrent/kurrentdb-client');
    expect(clientPackageFor('kurrentdb://h:2113', '@eventstore/db-client')).toBe('@eventstore/db-client');
  });

  it('refuses a clientPackage that names neither package, saying which two it may name', () => {
    expect(assertClientPackage(undefined)).toBeUndefined();
    expect(assertClientPackage('@kurrent/kurrentdb-client')).toBe('@kurrent/kurrentdb-client');
    expect(() => assertClientPackage('kurrentdb')).toThrow(/'@eventstore\/db-client' or '@kurrent\/kurrentdb-client', got "kurrentdb"/);
  });

  it('rewrites only the scheme to one the package parses, keeping +discover, credentials, hosts and options', () => {
    const rest = 'admin:p@ss@db1:2113,db2:2113?tls=true&nodePreference=leader';
    expect(inSchemeOf('@eventstore/db-client', `kurrentdb://${rest}`)).toBe(`esdb://${rest}`);
    expect(inSchemeOf('@eventstore/db-client', `kdb+discover://${rest}`)).toBe(`esdb+discover://${rest}`);
    expect(inSchemeOf('@eventstore/db-client', `esdb://${rest}`)).toBe(`esdb://${rest}`);
    // The KurrentDB client still parses esdb:// but warns on every connection that it is deprecated.
    expect(inSchemeOf('@kurrent/kurrentdb-client', `esdb://${rest}`)).toBe(`kurrentdb://${rest}`);
    expect(inSchemeOf('@kurrent/kurrentdb-client', `esdb+discover://${rest}`)).toBe(`kurrentdb+discover://${rest}`);
    expect(inSchemeOf('@kurrent/kurrentdb-client', `KDB://${rest}`)).toBe(`kdb://${rest}`);
    expect(inSchemeOf('@kurrent/kurrentdb-client', `kurrent+discover://${rest}`)).toBe(`kurrent+discover://${rest}`);
  });
});
