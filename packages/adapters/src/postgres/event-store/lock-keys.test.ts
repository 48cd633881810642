import { describe, expect, it } from 'vitest';
import { newEventId, serializeEvents, type NewEvent, type Query } from '@clusterconf/domain';
import { LockKeyring, MAX_LOCK_KEYS } from './lock-keys.js';

const event = (type: string, tags: readonly string[]): NewEvent => {
  const eventId = newEventId();
  return { type, data: {}, tags, metadata: { eventId, occurredAt: '2020-11-10T09:00:00Z', correlationId: eventId, causationId: eventId, schemaVersion: 1 } };
};
const locks = (ring: LockKeyring, events: readonly NewEvent[], query?: Query) =>
  ring.locksOf(serializeEvents('s', events), query === undefined ? undefined : { failIfEventsMatch: query });
const vote = event('VoteCast', ['attendee:a1', 'ballot:b']);
const voteQuery: Query = { items: [{ types: ['VoteCast'], tags: ['attendee:a1', 'ballot:b'] }, { types: ['SessionOpened', 'BallotClosed'], tags: ['ballot:b'] }] };

describe('LockKeyring', () => {
  it('shares the global key and the type for an untagged event, and adds a tag key and a (type, tag) key per tag', () => {
    const ring = new LockKeyring('clusterconf');
    expect(locks(ring, [event('Plain', [])])).toMatchObject({ exclusive: [false, false] });
    expect(locks(ring, [vote]).keys).toHaveLength(6);
    expect(locks(ring, [vote]).exclusive.every((x) => !x)).toBe(true);
  });

  it('gives every key once, in ascending order, exclusive where the condition needs it', () => {
    const { keys, exclusive } = locks(new LockKeyring('clusterconf'), [vote], voteQuery);
    expect([...keys].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0))).toEqual(keys);
    expect(new Set(keys).size).toBe(keys.length);
    // Three exclusive keys: (VoteCast, attendee:a1) is also one of the vote's own, (SessionOpened, ballot:b) and
    // (BallotClosed, ballot:b) are not; the other five the vote only shares.
    expect(keys).toHaveLength(8);
    expect(exclusive.filter((x) => x)).toHaveLength(3);
  });

  it('meets, exclusive against shared, exactly the writers whose events the condition matches', () => {
    const ring = new LockKeyring('clusterconf');
    const condition = locks(ring, [vote], voteQuery);
    const exclusiveKeys = condition.keys.filter((_, i) => condition.exclusive[i]);
    const meets = (events: readonly NewEvent[]) => locks(ring, events).keys.some((key) => exclusiveKeys.includes(key));
    expect(meets([event('BallotClosed', ['ballot:b'])])).toBe(true);
    expect(meets([event('VoteCast', ['ballot:b', 'attendee:a1', 'conference:c'])])).toBe(true);
    expect(meets([event('VoteCast', ['attendee:a2', 'ballot:b'])])).toBe(false);
    expect(meets([event('BallotClosed', ['ballot:other'])])).toBe(false);
    expect(meets([event('Plain', [])])).toBe(false);
    // Items without tags lock their types; an item matching everything, the global key every writer shares.
    const other = event('Other', []);
    const byType = locks(ring, [other], { items: [{ types: ['Plain'] }] });
    expect(locks(ring, [event('Plain', [])]).keys).toContain(byType.keys[byType.exclusive.indexOf(true)]);
    const everything = locks(ring, [other], { items: [{}] });
    // The global key is the only exclusive one, and every writer shares it.
    expect(everything.exclusive.filter((x) => x)).toHaveLength(1);
    expect(locks(ring, [event('Plain', [])]).keys).toContain(everything.keys[everything.exclusive.indexOf(true)]);
  });

  it('is the same in every process for one schema, and another for another schema', () => {
    expect(locks(new LockKeyring('a'), [vote], voteQuery)).toEqual(locks(new LockKeyring('a'), [vote], voteQuery));
    expect(locks(new LockKeyring('b'), [vote]).keys).not.toEqual(locks(new LockKeyring('a'), [vote]).keys);
  });

  it('takes the global key alone, exclusively, for an append that would need more than the limit', () => {
    const many = Array.from({ length: 20 }, (_, i) => event(`Type${i}`, [`tag:${i}`, `other:${i}`]));
    const ring = new LockKeyring('clusterconf');
    expect(locks(ring, many).keys.length).toBe(1);
    expect(locks(ring, many).exclusive).toEqual([true]);
    expect(locks(ring, many.slice(0, 5)).keys.length).toBeLessThanOrEqual(MAX_LOCK_KEYS);
  });
});
