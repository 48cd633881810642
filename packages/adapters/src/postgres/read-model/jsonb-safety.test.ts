import { describe, expect, it } from 'vitest';
import { InvalidDocumentError } from '../../shared/read-model/read-model-errors.js';
import { assertJsonbSafe, jsonbUnsafeString } from './jsonb-safety.js';

const upsert = (document: unknown, id = 'doc', collection = 'talks') => ({ collection, id, body: JSON.stringify(document) });

describe('jsonbUnsafeString', () => {
  it('finds U+0000 and unpaired surrogates in values and keys, with their path', () => {
    expect(jsonbUnsafeString({ a: { b: ['ok', 'x\u0000y'] } })).toBe('the string at $.a.b[1] holds U+0000 (NUL) at index 1');
    expect(jsonbUnsafeString({ 'odd key': '\ud800' })).toBe('the string at $["odd key"] holds the unpaired surrogate U+D800 at index 0');
    expect(jsonbUnsafeString({ x: 'a\udc00' })).toBe('the string at $.x holds the unpaired surrogate U+DC00 at index 1');
    expect(jsonbUnsafeString({ nested: { 'k\u0000': 1 } })).toBe('the key "k\\u0000" in $.nested holds U+0000 (NUL) at index 1');
  });

  it('accepts paired surrogates, other control characters and escaped backslashes', () => {
    expect(jsonbUnsafeString({ emoji: '😀', tab: 'a\tb\u0001', text: '\\u0000 is six characters here' })).toBeUndefined();
  });
});

describe('assertJsonbSafe', () => {
  it('names namespace, collection, id and the string, and says what to do', () => {
    const attempt = () => assertJsonbSafe('talks_v1', { upserts: [upsert({ fine: true }, 'a'), upsert({ title: 'T\u0000' }, 'b')], deletes: [] });
    expect(attempt).toThrow(InvalidDocumentError);
    expect(attempt).toThrow(
      /^Document "b" in collection "talks" \(namespace talks_v1\) cannot be stored in PostgreSQL's jsonb: the string at \$\.title holds U\+0000 \(NUL\) at index 1\. Remove U\+0000/,
    );
  });

  it('checks collection names and ids of upserts and deletes too', () => {
    expect(() => assertJsonbSafe('n_v1', { upserts: [upsert({}, 'x\u0000')], deletes: [] })).toThrow(/its id holds U\+0000/);
    expect(() => assertJsonbSafe('n_v1', { upserts: [], deletes: [{ collection: 'c\ud800', id: 'x' }] })).toThrow(/its collection name holds the unpaired surrogate U\+D800/);
    expect(() => assertJsonbSafe('n_v1', { upserts: [upsert({ a: '😀\\u0000' })], deletes: [{ collection: 'c', id: 'x' }] })).not.toThrow();
  });
});
