import * as t from 'io-ts';
import { describe, expect, it } from 'vitest';
import { ConferenceId, NonEmptyString, PositiveInteger, StakeholderGroup } from '../conference/codecs.js';
import { DecidedBy, Opener, SessionOpenedData } from '../conference/events.js';
import { toJsonSchema } from './json-schema.js';

describe('toJsonSchema', () => {
  it('converts the primitive codecs, unknown, literals and keyof', () => {
    expect(toJsonSchema(t.string)).toEqual({ type: 'string' });
    expect(toJsonSchema(t.number)).toEqual({ type: 'number' });
    expect(toJsonSchema(t.boolean)).toEqual({ type: 'boolean' });
    expect(toJsonSchema(t.null)).toEqual({ type: 'null' });
    expect(toJsonSchema(t.unknown)).toEqual({});
    expect(toJsonSchema(t.literal('jury'))).toEqual({ const: 'jury' });
    expect(toJsonSchema(t.literal(2))).toEqual({ const: 2 });
    expect(toJsonSchema(t.keyof({ a: null, b: null }))).toEqual({ type: 'string', enum: ['a', 'b'] });
    expect(toJsonSchema(StakeholderGroup)).toMatchObject({ type: 'string', title: 'StakeholderGroup', enum: expect.arrayContaining(['business', 'research']) });
  });

  it('lists required members of a type, optional ones of a partial, and refuses unknown members of a strict type', () => {
    expect(toJsonSchema(t.type({ a: t.string, b: t.number }))).toEqual({
      type: 'object', properties: { a: { type: 'string' }, b: { type: 'number' } }, required: ['a', 'b'],
    });
    expect(toJsonSchema(t.partial({ a: t.string }))).toEqual({ type: 'object', properties: { a: { type: 'string' } } });
    expect(toJsonSchema(t.strict({ a: t.boolean }))).toEqual({
      type: 'object', properties: { a: { type: 'boolean' } }, required: ['a'], additionalProperties: false,
    });
    expect(toJsonSchema(t.type({}))).toEqual({ type: 'object', properties: {} });
  });

  it('merges an intersection of objects into one, refusing unknown members only when it is exact', () => {
    const open = t.intersection([t.type({ a: t.string }), t.partial({ b: t.number })]);
    expect(toJsonSchema(open)).toEqual({
      type: 'object', properties: { a: { type: 'string' }, b: { type: 'number' } }, required: ['a'],
    });
    expect(toJsonSchema(t.exact(open))).toEqual({
      type: 'object', properties: { a: { type: 'string' }, b: { type: 'number' } }, required: ['a'], additionalProperties: false,
    });
    // A member two parts share must satisfy both; a part that is not an object leaves the intersection an allOf.
    expect(toJsonSchema(t.intersection([t.type({ a: t.string }), t.type({ a: t.literal('x') })]))).toEqual({
      type: 'object', properties: { a: { allOf: [{ type: 'string' }, { const: 'x' }] } }, required: ['a'],
    });
    expect(toJsonSchema(t.intersection([t.type({ a: t.string }), t.union([t.type({ b: t.string }), t.type({ c: t.string })])]))).toEqual({
      allOf: [
        { type: 'object', properties: { a: { type: 'string' } }, required: ['a'] },
        { anyOf: [{ type: 'object', properties: { b: { type: 'string' } }, required: ['b'] }, { type: 'object', properties: { c: { type: 'string' } }, required: ['c'] }] },
      ],
    });
  });

  it('turns unions into anyOf, and unions of literals into one enum', () => {
    expect(toJsonSchema(t.union([t.number, t.null]))).toEqual({ anyOf: [{ type: 'number' }, { type: 'null' }] });
    expect(toJsonSchema(t.union([t.literal('a'), t.literal(1), t.literal(true)]))).toEqual({ enum: ['a', 1, true] });
    expect(toJsonSchema(DecidedBy)).toEqual({
      title: 'DecidedBy',
      anyOf: [
        { type: 'object', properties: { kind: { const: 'jury' } }, required: ['kind'] },
        {
          type: 'object',
          properties: {
            kind: { const: 'vote' },
            conferenceId: { anyOf: [{ type: 'string', title: 'ConferenceId' }, { type: 'null' }] },
            ballotId: { type: 'string', title: 'SessionId' },
            tally: {
              type: 'array',
              items: {
                type: 'object', title: 'TallyEntry', required: ['candidateId', 'votes'],
                properties: { candidateId: { type: 'string', title: 'CandidateId' }, votes: { type: 'number', title: 'NonNegativeInteger' } },
              },
            },
          },
          required: ['kind', 'conferenceId', 'ballotId', 'tally'],
        },
      ],
    });
  });

  it('gives a brand or refinement its base schema, named after it; named codecs keep their names', () => {
    expect(toJsonSchema(ConferenceId)).toEqual({ type: 'string', title: 'ConferenceId' });
    expect(toJsonSchema(PositiveInteger)).toEqual({ type: 'number', title: 'PositiveInteger' });
    expect(toJsonSchema(t.array(NonEmptyString))).toEqual({ type: 'array', items: { type: 'string', title: 'NonEmptyString' } });
    expect(toJsonSchema(t.readonlyArray(t.string))).toEqual({ type: 'array', items: { type: 'string' } });
    expect(toJsonSchema(t.readonly(Opener))).toEqual(toJsonSchema(Opener));
    expect(toJsonSchema(Opener)).toEqual({
      type: 'object', title: 'Opener', required: ['name', 'role'],
      properties: { name: { type: 'string', title: 'NonEmptyString' }, role: { type: 'string', title: 'NonEmptyString' } },
    });
    expect(toJsonSchema(SessionOpenedData)).toMatchObject({
      title: 'SessionOpened',
      properties: { day: { type: 'string', title: 'IsoDate' }, ballot: { anyOf: [{ type: 'null' }, { title: 'Ballot', type: 'object' }] } },
      required: ['conferenceId', 'sessionId', 'title', 'day', 'openers', 'ballot'],
    });
  });

  it('with { refinements: true }, names every brand and refinement a value must pass, innermost first', () => {
    const options = { refinements: true };
    expect(toJsonSchema(ConferenceId, options)).toEqual({ type: 'string', title: 'ConferenceId', 'x-refinements': ['ConferenceId'] });
    const Short = t.brand(NonEmptyString, (s): s is t.Branded<string, { readonly Short: symbol }> => s.length < 10, 'Short');
    expect(toJsonSchema(t.type({ name: Short }), options)).toEqual({
      type: 'object', required: ['name'], properties: { name: { type: 'string', title: 'Short', 'x-refinements': ['NonEmptyString', 'Short'] } },
    });
    expect(toJsonSchema(t.union([PositiveInteger, t.null]), options)).toEqual({
      anyOf: [{ type: 'number', title: 'PositiveInteger', 'x-refinements': ['PositiveInteger'] }, { type: 'null' }],
    });
    // A named object is not a refinement: its name is a title only.
    expect(toJsonSchema(Opener, options)).not.toHaveProperty('x-refinements');
  });

  it('refuses the codecs JSON Schema here cannot mean, naming where they are', () => {
    expect(() => toJsonSchema(t.type({ at: t.tuple([t.string, t.number]) }))).toThrow(/^toJsonSchema: at: io-ts TupleType \[string, number\] has no JSON Schema/);
    expect(() => toJsonSchema(t.type({ list: t.array(t.type({ maybe: t.undefined })) }))).toThrow(/list\[\]\.maybe: io-ts UndefinedType/);
    expect(() => toJsonSchema(t.record(t.string, t.number))).toThrow(/\(root\): io-ts DictionaryType/);
    expect(() => toJsonSchema(new t.Type('Custom', t.string.is, t.string.validate, t.identity))).toThrow(/io-ts custom type Custom/);
    // io-ts's types refuse this one; a codec built without them can still arrive here.
    const notOneObject = t.intersection([t.type({ a: t.string }), t.union([t.type({ b: t.string }), t.type({ c: t.string })])]) as unknown as t.HasProps;
    expect(() => toJsonSchema(t.exact(notOneObject))).toThrow(/exact .* is not one object/);
  });
});
