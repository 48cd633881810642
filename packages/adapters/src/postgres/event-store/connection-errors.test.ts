import { describe, expect, it } from 'vitest';
import { AccessDeniedError, StoreUnavailableError } from '@clusterconf/domain';
import { connectionFailure, describeEndpoint, isConnectionError } from './connection-errors.js';

describe('describeEndpoint', () => {
  it('masks the password of a connection string and drops its query', () => {
    expect(describeEndpoint({ connectionString: 'postgres://app:secret@db.example:6543/events?sslmode=require' })).toBe(
      'postgres://app:****@db.example:6543/events',
    );
  });

  it('describes separate settings without any password', () => {
    expect(describeEndpoint({ host: 'h', port: 5433, database: 'd', user: 'u' })).toBe('postgres://u@h:5433/d');
  });

  it('does not echo a connection string it cannot parse', () => {
    expect(describeEndpoint({ connectionString: 'not a url with secret' })).not.toContain('secret');
  });
});

describe('connectionFailure', () => {
  const endpoint = { connectionString: 'postgres://app:pw@h:1/d' };

  it('maps refused connections and server shutdowns to StoreUnavailableError with what to check', () => {
    const refused = connectionFailure(Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }), endpoint);
    expect(refused).toBeInstanceOf(StoreUnavailableError);
    expect(refused.message).toContain('postgres://app:****@h:1/d');
    expect(refused.message).toContain('check that PostgreSQL is running');
    expect(isConnectionError({ code: '57P01' })).toBe(true);
  });

  it("maps pg-pool's checkout timeout (a saturated pool) to StoreUnavailableError saying what to raise", () => {
    const saturated = new Error('timeout exceeded when trying to connect');
    expect(isConnectionError(saturated)).toBe(true);
    const mapped = connectionFailure(saturated, endpoint);
    expect(mapped).toBeInstanceOf(StoreUnavailableError);
    expect(mapped.message).toContain('postgres://app:****@h:1/d');
    expect(mapped.message).toMatch(/raise poolSize or connectionTimeoutMillis/);
    expect((mapped as StoreUnavailableError).cause).toBe(saturated);
  });

  it('maps rejected credentials to AccessDeniedError and leaves other errors alone', () => {
    expect(connectionFailure(Object.assign(new Error('auth'), { code: '28P01' }), endpoint)).toBeInstanceOf(AccessDeniedError);
    const other = new Error('syntax error');
    expect(connectionFailure(other, endpoint)).toBe(other);
    expect(isConnectionError(Object.assign(new Error('dup'), { code: '23505' }))).toBe(false);
  });
});
