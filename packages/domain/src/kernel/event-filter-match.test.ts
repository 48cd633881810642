import { describe, expect, it } from 'vitest';
import { matchesFilter } from './event-filter-match.js';

describe('matchesFilter', () => {
  const types = ['A', 'B', 'C', 'D'];
  const passing = (filter: Parameters<typeof matchesFilter>[0], streamId = 'conference-a') =>
    types.filter((type) => matchesFilter(filter, streamId, type));

  it('matches a type in eventTypes, or with orTypesNotIn one outside that list', () => {
    expect(passing({ eventTypes: ['A'] })).toEqual(['A']);
    expect(passing({ eventTypes: ['A'], orTypesNotIn: ['A', 'B', 'C'] })).toEqual(['A', 'D']);
    expect(passing({ eventTypes: [], orTypesNotIn: ['A', 'B'] })).toEqual(['C', 'D']);
    // Nothing is in an empty list, so every type is outside it.
    expect(passing({ eventTypes: ['A'], orTypesNotIn: [] })).toEqual(types);
    // Without eventTypes every type matches already.
    expect(passing({ orTypesNotIn: ['A'] })).toEqual(types);
  });

  it('still needs a stream prefix to match when prefixes are given', () => {
    const filter = { eventTypes: ['A'], orTypesNotIn: ['A', 'B'], streamPrefixes: ['conference-'] };
    expect(passing(filter)).toEqual(['A', 'C', 'D']);
    expect(passing(filter, 'vote-1')).toEqual([]);
  });
});
