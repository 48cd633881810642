import { describe, expect, it } from 'vitest';
import type { ClientRecordedEvent } from '../client/client-seam.js';
import { splitFilter } from './server-filter.js';

const event = (streamId: string, type: string): ClientRecordedEvent => ({
  streamId,
  type,
  id: '00000000-0000-0000-0000-000000000000',
  revision: 0n,
  data: {},
  isJson: true,
  created: new Date(0),
});

describe('splitFilter', () => {
  const noCheckpoint = () => undefined;

  it('sends event types to the server as an exact, escaped match and checks stream prefixes in the adapter', () => {
    const split = splitFilter({ eventTypes: ['Vote.Cast', 'A+B'], streamPrefixes: ['vote-'] }, noCheckpoint);
    expect(split.server).toMatchObject({ filterOn: 'eventType', regex: '^(?:Vote\\.Cast|A\\+B)(?![\\s\\S])', checkpointInterval: 1 });
    const regex = new RegExp(split.server.regex!);
    expect(['Vote.Cast', 'A+B', 'VoteXCast', 'AAB', 'Vote.Cast2', 'Vote.Cast\n'].map((type) => regex.test(type))).toEqual([true, true, false, false, false, false]);
    expect(split.accepts(event('vote-1', 'Vote.Cast'))).toBe(true);
    expect(split.accepts(event('award-1', 'Vote.Cast'))).toBe(false);
  });

  it('sends stream prefixes to the server and keeps system events out in the adapter', () => {
    const split = splitFilter({ streamPrefixes: ['$', 'conference-'] }, noCheckpoint);
    expect(split.server).toMatchObject({ filterOn: 'streamName', prefixes: ['$', 'conference-'] });
    expect(split.accepts(event('conference-1', '$streamDeleted'))).toBe(false);
    expect(split.accepts(event('conference-1', 'Scheduled'))).toBe(true);
  });

  it('without a filter excludes system events on the server; with empty lists matches nothing', () => {
    expect(splitFilter(undefined, noCheckpoint).server).toMatchObject({ filterOn: 'eventType', regex: '^[^$].*' });
    const none = splitFilter({ eventTypes: [] }, noCheckpoint);
    expect(new RegExp(none.server.regex!).test('Anything')).toBe(false);
    expect(none.accepts(event('s', 'Anything'))).toBe(false);
  });

  it('with orTypesNotIn also sends the server the types outside that list, never system events', () => {
    const split = splitFilter({ eventTypes: ['Vote.Cast'], orTypesNotIn: ['Vote.Cast', 'Scheduled', 'A+B'] }, noCheckpoint);
    expect(split.server).toMatchObject({
      filterOn: 'eventType',
      regex: '^(?:Vote\\.Cast)(?![\\s\\S])|^(?!\\$)(?!(?:Vote\\.Cast|Scheduled|A\\+B)(?![\\s\\S]))',
    });
    const regex = new RegExp(split.server.regex!);
    const types = ['Vote.Cast', 'Scheduled', 'A+B', 'Unknown', 'Scheduled2', 'Schedule', 'Scheduled\n', 'AAB', '$metadata'];
    const sent = types.filter((type) => regex.test(type));
    // A type that only starts or ends like a listed one is outside the list; so is one with a trailing newline.
    expect(sent).toEqual(['Vote.Cast', 'Unknown', 'Scheduled2', 'Schedule', 'Scheduled\n', 'AAB']);
    expect(types.filter((type) => split.accepts(event('s', type)))).toEqual(sent);
  });

  it('with orTypesNotIn and no eventTypes, or an empty list, matches by what the lists say', () => {
    const outside = splitFilter({ eventTypes: [], orTypesNotIn: ['A'] }, noCheckpoint);
    expect(['A', 'B', '$stats'].filter((type) => new RegExp(outside.server.regex!).test(type))).toEqual(['B']);
    const everything = splitFilter({ eventTypes: ['A'], orTypesNotIn: [] }, noCheckpoint);
    expect(['A', 'B', '$stats'].filter((type) => new RegExp(everything.server.regex!).test(type))).toEqual(['A', 'B']);
  });

  it('forwards the server checkpoints to the callback as positions', () => {
    const seen: unknown[] = [];
    const split = splitFilter(undefined, (position) => seen.push(position));
    void split.server.checkpointReached?.({}, { commit: 5n, prepare: 4n });
    expect(seen).toEqual([{ commit: 5n, prepare: 4n }]);
  });
});
