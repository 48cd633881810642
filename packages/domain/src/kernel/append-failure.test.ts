import { describe, expect, it } from 'vitest';
import { appendFailureKind } from './append-failure.js';
import { InvalidEventError, StoreClosedError, StoreUnavailableError, WrongExpectedRevisionError } from './errors.js';

describe('appendFailureKind', () => {
  it.each([
    ['a revision conflict', new WrongExpectedRevisionError('s', 3n, 4n), 'conflict'],
    ['a dropped connection or a timeout', new StoreUnavailableError('postgres://db', 'Connection terminated unexpectedly'), 'unknown'],
    ['an invalid event', new InvalidEventError('s', 'T', 'too large'), 'final'],
    ['a closed store', new StoreClosedError('The store'), 'final'],
    ['a plain error', new Error('boom'), 'final'],
    ['a non-error', 'boom', 'final'],
    ['nothing', undefined, 'final'],
  ])('classifies %s', (_label, error, kind) => {
    expect(appendFailureKind(error)).toBe(kind);
  });

  it('reads the code, not the class, so an adapter error or another copy of this package classifies alike', () => {
    expect(appendFailureKind({ code: 'STORE_UNAVAILABLE' })).toBe('unknown');
    expect(appendFailureKind(Object.assign(new Error('stored, position unknown'), { code: 'APPEND_POSITION_UNKNOWN' }))).toBe('stored');
    expect(appendFailureKind({ code: 'WRONG_EXPECTED_REVISION' })).toBe('conflict');
  });
});
