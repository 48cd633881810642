import { describe, expect, it } from 'vitest';
import { documentDifferences } from './document-differences.js';

describe('documentDifferences', () => {
  it('is empty for documents equal in any key order', () => {
    expect(documentDifferences({ a: 1, b: { c: [1, 2] } }, { b: { c: [1, 2] }, a: 1 })).toEqual([]);
  });

  it('names each differing member by its path, quoting keys that are not identifiers', () => {
    expect(documentDifferences({ byCountry: { DE: 2, 'pt-BR': 1 }, list: [{ n: 1 }] }, { byCountry: { DE: 3, 'pt-BR': 1, FR: 1 }, list: [{ n: 2 }] })).toEqual([
      '$.byCountry.DE: expected 2, got 3',
      '$.byCountry.FR: not expected, got 1',
      '$.list[0].n: expected 1, got 2',
    ]);
    expect(documentDifferences({ 'a b': null }, { 'a b': 0 })).toEqual(['$["a b"]: expected null, got 0']);
  });

  it('shows the whole value where only prototypes or holes differ, and a differing type in full', () => {
    const bare = Object.assign(Object.create(null) as Record<string, unknown>, { a: 1 });
    expect(documentDifferences({ v: bare }, { v: { a: 1 } })).toEqual(['$.v: expected [Object: null prototype] { a: 1 }, got { a: 1 }']);
    expect(documentDifferences({ v: [1, 2] }, { v: { 0: 1, 1: 2 } })).toEqual(["$.v: expected [ 1, 2 ], got { '0': 1, '1': 2 }"]);
  });

  it('lists twenty differences and counts the rest', () => {
    const expected = Object.fromEntries(Array.from({ length: 25 }, (_, i) => [`k${String(i).padStart(2, '0')}`, i]));
    const lines = documentDifferences(expected, {});
    expect(lines).toHaveLength(21);
    expect(lines[0]).toBe('$.k00: missing, expected 0');
    expect(lines.at(-1)).toBe('… and 5 more differences');
  });
});
