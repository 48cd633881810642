import { describe, expect, it } from 'vitest';
import { InvalidEventError } from './errors.js';
import { sequencePosition } from './position.js';
import { replayedAppend } from './replayed-append.js';

const place = (eventId: string, streamId: string, revision: bigint, type = 'Tested') => ({
  eventId, type, streamId, streamRevision: revision, position: sequencePosition(revision + 10n),
});
const appended = [{ eventId: 'a', type: 'Tested' }, { eventId: 'b', type: 'Tested' }];

describe('replayedAppend', () => {
  it('treats an append none of whose ids is stored as new', () => {
    expect(replayedAppend('s', appended, [undefined, undefined])).toBeUndefined();
  });

  it('answers a retry stored consecutively in the same stream with the original result', () => {
    expect(replayedAppend('s', appended, [place('a', 's', 4n), place('b', 's', 5n)])).toEqual({ nextExpectedRevision: 5n, position: sequencePosition(15n) });
  });

  it.each([
    ['another stream', [place('a', 'other', 4n), place('b', 'other', 5n)]],
    ['a gap between revisions', [place('a', 's', 4n), place('b', 's', 6n)]],
    ['a mix of stored and new ids', [place('a', 's', 4n), undefined]],
    ['a stored id after a new one', [undefined, place('b', 's', 4n)]],
  ])('refuses ids stored at %s, naming where', (_case, stored) => {
    expect(() => replayedAppend('s', appended, stored)).toThrow(InvalidEventError);
    expect(() => replayedAppend('s', appended, stored)).toThrow(/is already stored at stream ".*" revision \d+, and this append is not a retry/);
  });

  it('refuses ids stored in place but as events of another type: an id source that repeats itself, not a retry', () => {
    const stored = [place('a', 's', 4n), place('b', 's', 5n, 'Scheduled')];
    expect(() => replayedAppend('s', appended, stored)).toThrow(InvalidEventError);
    expect(() => replayedAppend('s', appended, stored)).toThrow(
      /eventId b is already stored as a "Scheduled" event, while this append gives that id to a "Tested" event, at stream "s" revision 5/,
    );
  });
});
