import { describe, expect, it } from 'vitest';
import { assertConnectionString, endpointOf, InvalidConnectionStringError, maskConnectionString } from './connection-string.js';

describe('connection strings', () => {
  it('masks the password and keeps the user, hosts and options', () => {
    expect(maskConnectionString('esdb://admin:changeit@db1:2113,db2:2113?tls=false')).toBe('esdb://admin:***@db1:2113,db2:2113?tls=false');
    expect(maskConnectionString('esdb://admin:p@ss:word@db:2113')).toBe('esdb://admin:***@ss:word@db:2113');
    expect(maskConnectionString('esdb://db:2113?tls=false')).toBe('esdb://db:2113?tls=false');
  });

  it('names the endpoint without query and without password', () => {
    expect(endpointOf('esdb+discover://u:secret@cluster.example:2113/?tls=true')).toBe('esdb+discover://u:***@cluster.example:2113');
  });

  it('accepts the schemes of both clients and refuses others', () => {
    expect(assertConnectionString(' esdb://localhost:2113?tls=false ')).toBe('esdb://localhost:2113?tls=false');
    expect(assertConnectionString('esdb+discover://cluster.example:2113')).toBe('esdb+discover://cluster.example:2113');
    expect(() => assertConnectionString('kurrentdb://localhost:2113')).toThrow(/KurrentDBClient/);
    expect(() => assertConnectionString('postgres://localhost')).toThrow(InvalidConnectionStringError);
    expect(() => assertConnectionString('esdb://user:pw@')).toThrow(/no host/);
  });
});
