import { describe, expect, it } from 'vitest';
import { InvalidStoreUrlError } from './cli-errors.js';
import { maskPassword, parseStoreUrl } from './store-url.js';

describe('parseStoreUrl', () => {
  it('resolves a relative sqlite path against the working directory', () => {
    expect(parseStoreUrl('sqlite:data/x.sqlite', '/srv/app')).toEqual({
      kind: 'sqlite', path: '/srv/app/data/x.sqlite', display: 'sqlite:/srv/app/data/x.sqlite',
    });
  });

  it('keeps absolute sqlite paths, the triple-slash spelling and :memory:', () => {
    expect(parseStoreUrl('sqlite:/tmp/a.db', '/x')).toMatchObject({ path: '/tmp/a.db' });
    expect(parseStoreUrl('sqlite:///tmp/a.db', '/x')).toMatchObject({ path: '/tmp/a.db' });
    expect(parseStoreUrl('sqlite::memory:', '/x')).toMatchObject({ path: ':memory:' });
  });

  it('takes the schema out of a postgres URL and masks the password', () => {
    const url = parseStoreUrl('postgres://app:s3cret@db.local:5433/events?schema=ecc&sslmode=disable');
    expect(url).toEqual({
      kind: 'postgres',
      connectionString: 'postgres://app:s3cret@db.local:5433/events?sslmode=disable',
      schema: 'ecc',
      display: 'postgres://app:***@db.local:5433/events?schema=ecc&sslmode=disable',
    });
  });

  it('accepts esdb URLs as the client reads them', () => {
    expect(parseStoreUrl('esdb://localhost:2113?tls=false')).toEqual({
      kind: 'esdb', connectionString: 'esdb://localhost:2113?tls=false', display: 'esdb://localhost:2113?tls=false',
    });
  });

  it.each(['kurrentdb', 'kurrentdb+discover', 'kurrent', 'kdb', 'KDB+discover'])('accepts %s URLs as the KurrentDB client reads them, password masked for display', (scheme) => {
    expect(parseStoreUrl(`${scheme}://admin:s3cret@db1:2113,db2:2113?tls=true`)).toEqual({
      kind: 'esdb',
      connectionString: `${scheme}://admin:s3cret@db1:2113,db2:2113?tls=true`,
      display: `${scheme}://admin:***@db1:2113,db2:2113?tls=true`,
    });
  });

  it('accepts the comma-separated hosts of a cluster', () => {
    expect(parseStoreUrl('esdb://db1:2113,db2:2113,db3:2113?nodePreference=leader')).toMatchObject({ kind: 'esdb', connectionString: 'esdb://db1:2113,db2:2113,db3:2113?nodePreference=leader' });
  });

  it.each([
    ['kurrentdb://admin:pw@?tls=false', 'No host'],
    ['esdb://db1:2113,,db2:2113', 'No host'],
    ['kurrentdbx://h:2113', 'Unknown scheme "kurrentdbx:"'],
    ['mysql://root:pw@h/db', 'Unknown scheme "mysql:"'],
    ['data/ecc.sqlite', 'No scheme'],
    ['sqlite:', 'No file path'],
    ['postgres://u@h', 'No database name'],
    ['postgres://u@h/db?schema=Bad-Name', 'is not a lower-case SQL identifier'],
  ])('refuses %s with one line naming the accepted forms', (raw, reason) => {
    const error = (() => {
      try {
        parseStoreUrl(raw);
      } catch (caught) {
        return caught;
      }
      return undefined;
    })();
    expect(error).toBeInstanceOf(InvalidStoreUrlError);
    const message = (error as Error).message;
    expect(message).toContain(reason);
    expect(message).toContain('sqlite:PATH');
    expect(message).toContain('esdb://');
    expect(message).not.toContain('\n');
    expect(message).not.toContain('pw@');
  });
});

describe('maskPassword', () => {
  it('hides passwords in any URL inside a message and leaves password-less URLs alone', () => {
    expect(maskPassword('connect postgres://u:p%40ss@h:1/d failed')).toBe('connect postgres://u:***@h:1/d failed');
    expect(maskPassword('postgres://u@h/d')).toBe('postgres://u@h/d');
    expect(maskPassword('open kurrentdb://admin:p@ss@db:2113?tls=false failed')).toBe('open kurrentdb://admin:***@db:2113?tls=false failed');
  });
});
