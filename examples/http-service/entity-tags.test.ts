import * as E from 'fp-ts/lib/Either.js';
import { describe, expect, it } from 'vitest';
import { admits, entityTag, parseIfMatch } from './entity-tags.js';

describe('If-Match', () => {
  it('reads *, one strong tag or a list, and keeps only the tags that can name a revision', () => {
    expect(parseIfMatch('*')).toEqual(E.right({ kind: 'any' }));
    expect(parseIfMatch(entityTag(3n))).toEqual(E.right({ kind: 'revisions', revisions: [3n] }));
    expect(parseIfMatch(' "3", W/"4" ,"x", ,"12"')).toEqual(E.right({ kind: 'revisions', revisions: [3n, 12n] }));
    expect(parseIfMatch('"03"')).toEqual(E.right({ kind: 'revisions', revisions: [] }));
  });

  it('refuses what is not an entity tag, saying what to send', () => {
    expect(parseIfMatch('3')).toEqual(E.left(expect.stringContaining('"3" is not an entity tag; send the ETag a GET returned, quotes included')));
    expect(parseIfMatch('"3" "4"')).toMatchObject({ _tag: 'Left' });
    expect(parseIfMatch(' , ')).toEqual(E.left(expect.stringContaining('it is empty')));
  });

  it('admits an append only at a named revision, and * only on a stream that exists', () => {
    const three = { kind: 'revisions', revisions: [3n] } as const;
    expect(admits(three, 3n)).toBe(true);
    expect(admits(three, 4n)).toBe(false);
    expect(admits(three, 'no_stream')).toBe(false);
    expect(admits({ kind: 'any' }, 0n)).toBe(true);
    expect(admits({ kind: 'any' }, 'no_stream')).toBe(false);
    expect(admits({ kind: 'revisions', revisions: [] }, 0n)).toBe(false);
  });
});
