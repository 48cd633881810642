import { describe, expect, it } from 'vitest';
import { InvalidEventError } from './errors.js';
import { sequencePosition } from './position.js';
import { replayedAppend } from './replayed-append.js';

const place = (eventId: string, streamId: string, revision: bigint) => ({
  eventId, type: 'Tested', streamId, streamRevision: revision, position: sequencePosition(revision + 10n),
});

describe('replayedAppend', () => {
  it('treats an append none of whose ids is stored as new', () => {
    expect(replayedAppend('s', [undefined, undefined])).toBeUndefined();
  });

  it('answers a retry stored consecutively in the same stream with the original result', () => {
    expect(replayedAppend('s', [place('a', 's', 4n), place('b', 's', 5n)])).toEqual({ nextExpectedRevision: 5n, position: sequencePosition(15n) });
  });

  it.each([
    ['another stream', [place('a', 'other', 4n), place('b', 'other', 5n)]],
    ['a gap between revisions', [place('a', 's', 4n), place('b', 's', 6n)]],
    ['a mix of stored and new ids', [place('a', 's', 4n), undefined]],
    ['a stored id after a new one', [undefined, place('b', 's', 4n)]],
  ])('refuses ids stored at %s, naming where', (_case, stored) => {
    expect(() => replayedAppend('s', stored)).toThrow(InvalidEventError);
    expect(() => replayedAppend('s', stored)).toThrow(/is already stored at stream ".*" revision \d+, and this append is not a retry/);
  });
});
