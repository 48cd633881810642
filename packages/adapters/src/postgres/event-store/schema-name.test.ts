import { describe, expect, it } from 'vitest';
import { InvalidSchemaNameError, quoteSchema } from './schema-name.js';

describe('quoteSchema', () => {
  it('quotes plain lower-case identifiers up to 63 characters', () => {
    expect(quoteSchema('clusterconf')).toBe('"clusterconf"');
    expect(quoteSchema('_a1')).toBe('"_a1"');
    expect(quoteSchema('a'.repeat(63))).toBe(`"${'a'.repeat(63)}"`);
  });

  it.each(['', 'A', '1abc', 'a-b', 'a"b', 'a b', 'x; drop table t', 'a'.repeat(64)])('refuses %j with a message naming it', (name) => {
    expect(() => quoteSchema(name)).toThrow(InvalidSchemaNameError);
    expect(() => quoteSchema(name)).toThrow(JSON.stringify(name));
  });
});
