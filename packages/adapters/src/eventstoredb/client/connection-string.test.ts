import { describe, expect, it } from 'vitest';
import { assertConnectionString, connectionStringParseError, endpointOf, InvalidConnectionStringError, maskConnectionString } from './connection-string.js';

describe('connection strings', () => {
  it('masks the password and keeps the user, hosts and options', () => {
    expect(maskConnectionString('esdb://admin:changeit@db1:2113,db2:2113?tls=false')).toBe('esdb://admin:***@db1:2113,db2:2113?tls=false');
    expect(maskConnectionString('esdb://admin:p@ss:word@db:2113')).toBe('esdb://admin:***@db:2113');
    expect(maskConnectionString('esdb://db:2113?tls=false')).toBe('esdb://db:2113?tls=false');
  });

  it('masks a password holding "/", "?", "=" or "@", splitting at the last "@" before the options', () => {
    for (const password of ['se/cret', 'se?cret', 'a?tls=b', 'p@ss', 'x/y?z@w']) {
      const connectionString = `esdb://admin:${password}@127.0.0.1:1?tls=false`;
      expect(maskConnectionString(connectionString)).toBe('esdb://admin:***@127.0.0.1:1?tls=false');
      expect(endpointOf(connectionString)).toBe('esdb://admin:***@127.0.0.1:1');
      expect(assertConnectionString(connectionString)).toBe(connectionString);
    }
    expect(endpointOf('esdb://admin:se?cret@db:2113')).toBe('esdb://admin:***@db:2113');
    // An "@" in an option value is not taken for the end of the credentials.
    expect(maskConnectionString('esdb://u:pw@h:1?tls=true&tlsCAFile=/certs/a@b.pem')).toBe('esdb://u:***@h:1?tls=true&tlsCAFile=/certs/a@b.pem');
  });

  it('keeps the password out of a client parse error, even one quoting part of the credentials', () => {
    const quoted = Object.assign(new Error('Unexpected "ss:word@db" at position 15, expected host.'), { location: [15, 24] });
    const error = connectionStringParseError('esdb://admin:p@ss:word@db:2113', quoted);
    expect(error.message).not.toMatch(/ss:word|p@ss/);
    expect(error.message).toContain('esdb://admin:***@db:2113');
    const elsewhere = connectionStringParseError('esdb://admin:se/cret@db:2113?tls=maybe', new Error('Unexpected "maybe" at position 33, expected true or false.'));
    expect(elsewhere.message).toContain('expected true or false');
    expect(elsewhere.message).not.toContain('se/cret');
  });

  it("explains a refusal by the KurrentDB client's Rust bridge, whose message is only the string itself", () => {
    // The bridge parses the string the adapter handed it, whose scheme may have been rewritten (esdb -> kurrentdb).
    const refused = connectionStringParseError('esdb://admin:se?cret@db:2113?tls=false', Object.assign(new Error('kurrentdb://admin:se?cret@db:2113?tls=false'), { name: 'ParseError' }));
    expect(refused.message).toContain('esdb://admin:***@db:2113?tls=false');
    expect(refused.message).toMatch(/Rust bridge.*percent-encode.*%2F, %3F/);
    expect(refused.message).not.toContain('se?cret');
  });

  it('names the endpoint without query and without password', () => {
    expect(endpointOf('esdb+discover://u:secret@cluster.example:2113/?tls=true')).toBe('esdb+discover://u:***@cluster.example:2113');
    expect(endpointOf('kurrentdb://u:p@ss@db:2113?tls=false')).toBe('kurrentdb://u:***@db:2113');
  });

  it('accepts the schemes of both clients and refuses others', () => {
    expect(assertConnectionString(' esdb://localhost:2113?tls=false ')).toBe('esdb://localhost:2113?tls=false');
    for (const scheme of ['esdb+discover', 'kurrentdb', 'kurrentdb+discover', 'kurrent', 'kurrent+discover', 'kdb', 'kdb+discover']) {
      expect(assertConnectionString(`${scheme}://cluster.example:2113`)).toBe(`${scheme}://cluster.example:2113`);
    }
    expect(() => assertConnectionString('kurrentdb://user:pw@')).toThrow(/no host/);
    expect(() => assertConnectionString('postgres://localhost')).toThrow(InvalidConnectionStringError);
    expect(() => assertConnectionString('esdbx://localhost')).toThrow(/esdb:\/\/.*kurrentdb:\/\//);
    expect(() => assertConnectionString('esdb://user:pw@')).toThrow(/no host/);
  });
});
