import { describe, expect, it } from 'vitest';
import { sequencePosition, type RecordedEvent, type SubscriptionMessage } from '@clusterconf/domain';
import { nothingBeforeHead, reachedHead } from './tail-until.js';

const at = (n: bigint) => sequencePosition(n);
const event = (n: bigint): SubscriptionMessage => ({ kind: 'event', event: { position: at(n) } as RecordedEvent });

describe('tail --until-head', () => {
  it('goes on before the head and stops at it, whatever message reaches it', () => {
    expect(reachedHead(event(4n), at(5n))).toBe(false);
    expect(reachedHead(event(5n), at(5n))).toBe(true);
    expect(reachedHead({ kind: 'checkpoint', position: at(4n) }, at(5n))).toBe(false);
    expect(reachedHead({ kind: 'checkpoint', position: at(7n) }, at(5n))).toBe(true);
    expect(reachedHead({ kind: 'caughtUp', position: at(3n) }, at(5n))).toBe(true);
  });

  it('has nothing to do on an empty log, or from the head or past it', () => {
    expect(nothingBeforeHead(undefined, undefined)).toBe(true);
    expect(nothingBeforeHead(at(5n), at(5n))).toBe(true);
    expect(nothingBeforeHead(at(9n), at(5n))).toBe(true);
    expect(nothingBeforeHead(at(4n), at(5n))).toBe(false);
    expect(nothingBeforeHead(undefined, at(5n))).toBe(false);
  });
});
