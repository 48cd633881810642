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
    expect(split.server).toMatchObject({ filterOn: 'eventType', regex: '^(?:Vote\\.Cast|A\\+B)$', checkpointInterval: 1 });
    const regex = new RegExp(split.server.regex!);
    expect(['Vote.Cast', 'A+B', 'VoteXCast', 'AAB', 'Vote.Cast2'].map((type) => regex.test(type))).toEqual([true, true, false, false, false]);
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

  it('forwards the server checkpoints to the callback as positions', () => {
    const seen: unknown[] = [];
    const split = splitFilter(undefined, (position) => seen.push(position));
    void split.server.checkpointReached?.({}, { commit: 5n, prepare: 4n });
    expect(seen).toEqual([{ commit: 5n, prepare: 4n }]);
  });
});
