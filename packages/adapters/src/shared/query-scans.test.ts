import { describe, expect, it } from 'vitest';
import { ALL_EVENTS } from '@clusterconf/domain';
import { indexKeysOf, queryScans, typeTagKey } from './query-scans.js';

describe('queryScans', () => {
  it('reads an item with types and tags in the ranges of each type with its first tag, narrowed to its other tags', () => {
    expect(queryScans({ items: [{ types: ['VoteCast'], tags: ['attendee:a', 'ballot:b'] }, { types: ['SessionOpened', 'BallotClosed'], tags: ['ballot:b'] }] })).toEqual([
      { kind: 'key', key: typeTagKey('VoteCast', 'attendee:a'), otherTags: ['ballot:b'] },
      { kind: 'key', key: typeTagKey('SessionOpened', 'ballot:b'), otherTags: [] },
      { kind: 'key', key: typeTagKey('BallotClosed', 'ballot:b'), otherTags: [] },
    ]);
  });

  it('reads a tag-only item in its first tag\'s range, a type-only item from the log, an item matching all as the whole log, each scan once', () => {
    expect(queryScans({ items: [{ tags: ['t'] }, { types: ['A'] }, { tags: ['t'] }] })).toEqual([
      { kind: 'key', key: 't', otherTags: [] },
      { kind: 'types', types: ['A'] },
    ]);
    expect(queryScans(ALL_EVENTS)).toBe('all');
    expect(queryScans({ items: [{ types: ['A'] }, {}] })).toBe('all');
  });

  it('indexes an event under each tag and each (type, tag) pair, keys no tag can equal', () => {
    expect(indexKeysOf('VoteCast', ['a', 'b'])).toEqual(['a', 'VoteCast\u001fa', 'b', 'VoteCast\u001fb']);
    expect(indexKeysOf('Plain', [])).toEqual([]);
  });
});
