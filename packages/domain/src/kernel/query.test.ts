import { describe, expect, it } from 'vitest';
import { AppendConditionFailedError } from './append-condition-failed-error.js';
import { appendFailureKind } from './append-failure.js';
import { InvalidQueryError } from './errors.js';
import { ALL_EVENTS, assertAppendCondition, assertValidQuery, describeQuery, matchesQuery, prepareQueryRead, type Query } from './query.js';

const vote: Query = {
  items: [
    { types: ['VoteCast'], tags: ['attendee:a-1', 'ballot:b'] },
    { types: ['SessionOpened', 'BallotClosed'], tags: ['ballot:b'] },
  ],
};

describe('matchesQuery', () => {
  it('ORs items, ORs the types of an item and ANDs its tags, in any order the event holds them', () => {
    expect(matchesQuery(vote, 'VoteCast', ['conference:c', 'ballot:b', 'attendee:a-1'])).toBe(true);
    expect(matchesQuery(vote, 'VoteCast', ['ballot:b'])).toBe(false);
    expect(matchesQuery(vote, 'BallotClosed', ['ballot:b'])).toBe(true);
    expect(matchesQuery(vote, 'SessionOpened', ['conference:c', 'ballot:b'])).toBe(true);
    expect(matchesQuery(vote, 'BallotClosed', ['ballot:other'])).toBe(false);
    expect(matchesQuery(vote, 'AttendeeRegistered', ['attendee:a-1', 'ballot:b'])).toBe(false);
  });

  it('matches every event with an item naming neither types nor tags, and any type or any tags when one is left out', () => {
    expect(matchesQuery(ALL_EVENTS, 'Anything', [])).toBe(true);
    expect(matchesQuery({ items: [{ tags: ['x'] }] }, 'Anything', ['y', 'x'])).toBe(true);
    expect(matchesQuery({ items: [{ types: ['A'] }] }, 'A', [])).toBe(true);
  });
});

describe('assertValidQuery', () => {
  it('returns a frozen copy that later changes to the argument cannot reach', () => {
    const items = [{ types: ['A'], tags: ['x'] }];
    const checked = assertValidQuery({ items }, 'read');
    items[0]!.tags.push('y');
    expect(checked).toEqual({ items: [{ types: ['A'], tags: ['x'] }] });
    expect(Object.isFrozen(checked.items[0]!.tags)).toBe(true);
  });

  it.each<[string, unknown, RegExp]>([
    ['no items', { items: [] }, /it has no items, so it would match nothing/],
    ['an empty list of types', { items: [{ types: [] }] }, /items\[0\]\.types is empty, which would match nothing; leave it out to match any/],
    ['a null list of tags', { items: [{ tags: null }] }, /items\[0\]\.tags is null, not an array/],
    ['an empty tag', { items: [{ tags: ['a', ''] }] }, /items\[0\]\.tags\[1\] "" is refused: it is empty/],
    ['a system type', { items: [{ types: ['$all'] }] }, /items\[0\]\.types\[0\] "\$all" is refused: types starting with "\$"/],
    ['null', null, /it is null, not \{ items: \[\.\.\.\] \}/],
  ])('refuses %s, naming where it came from', (_label, query, message) => {
    const error = (() => {
      try {
        assertValidQuery(query, 'read');
      } catch (caught) {
        return caught;
      }
      throw new Error('accepted');
    })();
    expect(error).toBeInstanceOf(InvalidQueryError);
    expect((error as Error).message).toMatch(/^The query of read was refused before anything was read or written: /);
    expect((error as Error).message).toMatch(message);
  });
});

describe('conditions and reads', () => {
  it('checks the position of a condition and of a read, and the limit of a read', () => {
    expect(assertAppendCondition('s', { failIfEventsMatch: vote, after: { commit: 7n, prepare: 7n } })).toEqual({ failIfEventsMatch: vote, after: { commit: 7n, prepare: 7n } });
    expect(() => assertAppendCondition('s', { failIfEventsMatch: vote, after: 7 })).toThrow(/its after it is a number, not a position/);
    expect(() => assertAppendCondition('s', { failIfEventsMatch: vote, after: { commit: 7, prepare: 7 } })).toThrow(/two bigints >= 0/);
    expect(() => assertAppendCondition('s', { after: { commit: 7n, prepare: 7n } })).toThrow(/^The query of the append condition for stream "s" was refused before anything was read or written: it is missing/);
    expect(prepareQueryRead(vote, { limit: 3 })).toMatchObject({ limit: 3, after: undefined });
    expect(prepareQueryRead(vote, undefined).limit).toBe(Number.POSITIVE_INFINITY);
    expect(() => prepareQueryRead(vote, { limit: 1.5 })).toThrow(RangeError);
    expect(() => prepareQueryRead(vote, { after: { commit: -1n, prepare: 0n } })).toThrow(InvalidQueryError);
  });

  it('a failed condition names the query and the first conflicting position, and is a conflict to retry', () => {
    const error = new AppendConditionFailedError('vote-c.b.a-1', { failIfEventsMatch: vote, after: { commit: 10n, prepare: 10n } }, { commit: 12n, prepare: 12n });
    expect(error.message).toBe('Append to stream "vote-c.b.a-1" was refused: its condition failed, as the event at position 12 matches ' +
      '"VoteCast with attendee:a-1 and ballot:b, or SessionOpened/BallotClosed with ballot:b" and was stored after position 10: read the ' +
      'query again, decide again, and append with the position of the last event read');
    expect(appendFailureKind(error)).toBe('conflict');
    expect(describeQuery(ALL_EVENTS)).toBe('any event');
  });
});
