import { DeadlineExceededError, MaxAppendSizeExceededError, TimeoutError, WrongExpectedVersionError } from '@eventstore/db-client';
import { InvalidEventError, StoreUnavailableError, WrongExpectedRevisionError } from '@clusterconf/domain';
import { describe, expect, it } from 'vitest';
import { type ClientCallContext, mapClientError } from './map-client-error.js';

const append: ClientCallContext = {
  operation: 'append',
  streamId: 'ballot-1',
  endpoint: 'esdb://db:2113',
  expected: 4n,
  eventIds: ['0190f5a0-0000-7000-8000-000000000001'],
  eventTypes: ['VoteCast'],
};

const wrongExpectedVersion = (expected: 'any' | 'no_stream' | 'stream_exists' | bigint, current: bigint | 'no_stream') =>
  new WrongExpectedVersionError(undefined as never, { streamName: 'ballot-1', expected, current });

describe('mapClientError', () => {
  it.each([
    ['timeout', new TimeoutError()],
    ['deadline-exceeded', new DeadlineExceededError()],
  ])('after an append %s, says the events may have been written and to retry with the same ids and revision', (type, error) => {
    const mapped = mapClientError(error, append);
    expect(mapped).toBeInstanceOf(StoreUnavailableError);
    const message = (mapped as Error).message;
    expect(message).toContain(`(${type})`);
    expect(message).toContain('may or may not have been written');
    expect(message).toContain('same event ids and the same expectedRevision (4)');
    expect(message).not.toContain('check that the server is running');
  });

  it('after a read timeout, says to retry, without talking of a possible write', () => {
    const mapped = mapClientError(new DeadlineExceededError(), { operation: 'read', streamId: '$all', endpoint: 'esdb://db:2113' });
    expect(mapped).toBeInstanceOf(StoreUnavailableError);
    expect((mapped as Error).message).toMatch(/did not answer the read of "\$all" in time/);
    expect((mapped as Error).message).not.toContain('written');
  });

  it('says a not-leader refusal wrote nothing and how to reach the leader', () => {
    const mapped = mapClientError({ type: 'not-leader', message: 'Not leader' }, append);
    expect(mapped).toBeInstanceOf(StoreUnavailableError);
    expect((mapped as Error).message).toMatch(/not the cluster leader.*nothing was written.*nodePreference=leader/);
  });

  it('maps the server’s max-append-size refusal to InvalidEventError naming the limit and --max-append-size', () => {
    const mapped = mapClientError(MaxAppendSizeExceededError.fromMaxAppendSize(1_048_576), { ...append, eventTypes: ['A', 'A'] });
    expect(mapped).toBeInstanceOf(InvalidEventError);
    expect(mapped).toMatchObject({ code: 'INVALID_EVENT', streamId: 'ballot-1', eventType: '(batch of 2)' });
    expect((mapped as Error).message).toContain('--max-append-size of 1048576 bytes');
    expect((mapped as Error).message).toContain('maxAppendBytes');
  });

  it('treats an actual revision of -1 (EventStoreDB 20.10) as no stream, not as ids already stored', () => {
    const exists = mapClientError(wrongExpectedVersion('stream_exists', -1n), { ...append, expected: 'stream_exists' });
    expect(exists).toBeInstanceOf(WrongExpectedRevisionError);
    expect(exists).toMatchObject({ expected: 'stream_exists', actual: undefined });
    const exact = mapClientError(wrongExpectedVersion(4n, -1n), append);
    expect(exact).toMatchObject({ expected: 4n, actual: undefined });
    // With 'stream_exists' on an existing stream only corrupted idempotency can conflict.
    expect(mapClientError(wrongExpectedVersion('stream_exists', 2n), { ...append, expected: 'stream_exists' })).toBeInstanceOf(InvalidEventError);
  });
});
