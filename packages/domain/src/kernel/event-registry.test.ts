import * as E from 'fp-ts/lib/Either.js';
import * as t from 'io-ts';
import { describe, expect, it } from 'vitest';
import { createEventRegistry, defineEvent } from './event-registry.js';
import { EventDecodeError, EventEncodeError } from './errors.js';

// v1 stored a single `name`; v2 splits it and adds a list of openers.
const SessionRenamed = defineEvent(
  'SessionRenamed',
  t.type({ title: t.string, openers: t.array(t.type({ name: t.string })) }),
  { schemaVersion: 2, upcasters: [{ fromVersion: 1, upcast: (data) => ({ title: (data as { name: string }).name, openers: [] }) }] },
);
const registry = createEventRegistry([SessionRenamed]);
const source = { streamId: 'session-1', streamRevision: 4n };

describe('event registry', () => {
  it('encodes an event with the tags its definition computes from the payload, and none for a definition without', () => {
    const Voted = defineEvent('Voted', t.type({ ballot: t.string, voter: t.string }), { tags: (data) => [`ballot:${data.ballot}`, `voter:${data.voter}`] });
    const tagged = createEventRegistry([Voted, SessionRenamed]);
    expect(tagged.encode({ type: 'Voted', data: { ballot: 'b', voter: 'v' } })).toEqual({ type: 'Voted', data: { ballot: 'b', voter: 'v' }, schemaVersion: 1, tags: ['ballot:b', 'voter:v'] });
    expect(tagged.encode({ type: 'SessionRenamed', data: { title: 'x', openers: [] } }).tags).toEqual([]);
  });

  it('upcasts an old payload before decoding it', () => {
    expect(registry.decodeData('SessionRenamed', 1, { name: 'Opening' }, source)).toEqual(
      E.right({ type: 'SessionRenamed', data: { title: 'Opening', openers: [] } }),
    );
  });

  it('reports an upcaster that throws as an undecodable event, not as an exception', () => {
    const result = registry.decodeData('SessionRenamed', 1, null, source);
    expect(E.isLeft(result) && result.left).toBeInstanceOf(EventDecodeError);
    expect(E.isLeft(result) && result.left.problems[0]).toMatch(/^the upcaster from schemaVersion 1 threw: /);
  });

  it('refuses to encode an event its codec would not decode, naming path and value', () => {
    const bad = { type: 'SessionRenamed', data: { title: 'Opening', openers: [{ name: 42 }] } } as never;
    expect(() => registry.encode(bad)).toThrow(EventEncodeError);
    expect(() => registry.encode(bad)).toThrow(/Event "SessionRenamed" does not match its codec and was not written: openers\.0\.name: expected string, got 42/);
  });

  it('names stream, revision, type, the field path and the bad value when a payload does not decode', () => {
    const result = registry.decodeData('SessionRenamed', 2, { title: 'Opening', openers: [{ name: 42 }] }, source);
    expect(E.isLeft(result)).toBe(true);
    const error = (result as E.Left<EventDecodeError>).left;
    expect(error).toBeInstanceOf(EventDecodeError);
    expect(error.message).toContain('"SessionRenamed" at stream "session-1" revision 4');
    expect(error.problems).toEqual(['openers.0.name: expected string, got 42']);
  });

  it('refuses unknown types and versions newer than the code', () => {
    expect(registry.decodeData('Nope', 1, {}, source)).toSatisfy(E.isLeft);
    const newer = registry.decodeData('SessionRenamed', 3, {}, source);
    expect(E.isLeft(newer) && newer.left.message).toMatch(/schemaVersion 3 is newer than this code knows \(2\)/);
  });

  it('accepts as stored exactly a current payload its codec takes unchanged, and nothing decoding would change', () => {
    const payload = { title: 'Opening', openers: [{ name: 'Thierry Breton' }] };
    expect(registry.acceptsAsStored('SessionRenamed', 2, payload)).toBe(true);
    // Runs of one type and alternating types answer alike.
    expect(registry.acceptsAsStored('SessionRenamed', 2, { title: 'x', openers: [{ name: 1 }] })).toBe(false);
    expect(registry.acceptsAsStored('Nope', 2, payload)).toBe(false);
    expect(registry.acceptsAsStored('SessionRenamed', 2, payload)).toBe(true);
    // An old version needs its upcaster, a newer one is unknown: both are for decodeData.
    expect(registry.acceptsAsStored('SessionRenamed', 1, { name: 'Opening' })).toBe(false);
    expect(registry.acceptsAsStored('SessionRenamed', 3, payload)).toBe(false);
    // A codec that transforms what it decodes is never taken as stored.
    const Dated = defineEvent('Dated', t.type({ at: new t.Type<Date, string, unknown>('DateFromString', (u): u is Date => u instanceof Date,
      (u, c) => (typeof u === 'string' ? t.success(new Date(u)) : t.failure(u, c)), (d) => d.toISOString()) }));
    expect(createEventRegistry([Dated]).acceptsAsStored('Dated', 1, { at: '2020-11-23T09:00:00.000Z' })).toBe(false);
  });

  it('lists the definitions it was built from, for describing what it reads', () => {
    const Other = defineEvent('Other', t.type({}));
    const both = createEventRegistry([SessionRenamed, Other]);
    expect(both.definitions).toEqual([SessionRenamed, Other]);
    expect(both.definitions[0]).toBe(SessionRenamed);
  });

  it('encodes at the current schema version', () => {
    expect(registry.encode({ type: 'SessionRenamed', data: { title: 'x', openers: [] } }).schemaVersion).toBe(2);
  });

  it('refuses a definition whose upcaster chain has a gap', () => {
    expect(() => defineEvent('Gappy', t.type({}), { schemaVersion: 3, upcasters: [{ fromVersion: 1, upcast: (d) => d }] })).toThrow(
      /no upcaster from version 2/,
    );
  });

  it('names full paths through strict, readonly, refined, union and intersection codecs', () => {
    const Positive = t.brand(t.number, (n): n is t.Branded<number, { readonly Positive: symbol }> => n > 0, 'Positive');
    const Nested = defineEvent(
      'Nested',
      t.strict({
        outer: t.readonly(t.type({ list: t.refinement(t.array(t.type({ n: Positive })), (a) => a.length > 0, 'NonEmpty') })),
        either: t.union([t.null, t.intersection([t.type({ a: t.string }), t.partial({ b: t.number })])]),
      }),
    );
    const decoded = createEventRegistry([Nested]).decodeData('Nested', 1, { outer: { list: [{ n: 1 }, { n: -1 }] }, either: { a: 'x', b: 'y' } }, source);
    expect(E.isLeft(decoded) && decoded.left.problems).toEqual([
      'outer.list.1.n: expected Positive, got -1',
      'either: expected null, got {"a":"x","b":"y"}',
      'either.b: expected number, got "y"',
    ]);
  });
});
