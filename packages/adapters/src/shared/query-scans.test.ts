import { describe, expect, it } from 'vitest';
import { ALL_EVENTS } from '@clusterconf/domain';
import { indexKeysOf, queryScans, tagKey } from './query-scans.js';

describe('queryScans', () => {
  it('reads an item with types and tags under (first tag, type) for each type, narrowed to (other tag, type)', () => {
    expect(queryScans({ items: [{ types: ['VoteCast'], tags: ['attendee:a', 'ballot:b'] }, { types: ['SessionOpened', 'BallotClosed'], tags: ['ballot:b'] }] })).toEqual([
      { kind: 'key', key: tagKey('attendee:a', 'VoteCast'), otherKeys: [tagKey('ballot:b', 'VoteCast')] },
      { kind: 'key', key: tagKey('ballot:b', 'SessionOpened'), otherKeys: [] },
      { kind: 'key', key: tagKey('ballot:b', 'BallotClosed'), otherKeys: [] },
    ]);
  });

  it('reads a tag-only item under every key of its first tag, a type-only item from the log, an item matching all as the whole log, each scan once', () => {
    expect(queryScans({ items: [{ tags: ['t', 'u'] }, { types: ['A'] }, { tags: ['t', 'u'] }] })).toEqual([
      { kind: 'tag', tag: 't', otherTags: ['u'] },
      { kind: 'types', types: ['A'] },
    ]);
    expect(queryScans(ALL_EVENTS)).toBe('all');
    expect(queryScans({ items: [{ types: ['A'] }, {}] })).toBe('all');
  });

  it('indexes an event once per tag, under the tag and its type, so every key of a tag shares the tag and the separator as prefix', () => {
    expect(indexKeysOf('VoteCast', ['a', 'b'])).toEqual(['a\u001fVoteCast', 'b\u001fVoteCast']);
    expect(indexKeysOf('Plain', [])).toEqual([]);
  });
});
