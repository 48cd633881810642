import fc from 'fast-check';
import Fastify from 'fastify';
import * as t from 'io-ts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DecidedBy, Opener, StakeholderGroup, toJsonSchema, type JsonSchema } from '@clusterconf/domain';
import { commandNames, commandRoutes } from './command-requests.js';
import { AJV_OPTIONS } from './conference-http-service.js';
import { ListQuery } from './read-model-queries.js';
import { describeSchemaErrors, type SchemaError } from './validation-problems.js';

// The validator Fastify builds from a schema, configured as the service configures it: the agreement below is the
// agreement the service relies on.
type Validate = ((value: unknown) => boolean) & { errors?: SchemaError[] | null };
let compile: (schema: JsonSchema) => Validate;
const app = Fastify({ ajv: { customOptions: AJV_OPTIONS } });

beforeAll(async () => {
  app.post('/', { schema: { body: { type: 'object' } } }, async () => ({}));
  await app.ready();
  compile = (schema) => app.validatorCompiler!({ schema, method: 'POST', url: '/', httpPart: 'body' }) as Validate;
});
afterAll(() => app.close());

// The codec fields read below, by io-ts `_tag`.
interface Node {
  readonly _tag?: string;
  readonly is: (value: unknown) => boolean;
  readonly type?: Node;
  readonly types?: readonly Node[];
  readonly props?: Readonly<Record<string, Node>>;
}

/** The members an object codec lists, through intersections, refinements and exact or readonly wrappers. */
const propsOf = (node: Node): Readonly<Record<string, Node>> => {
  switch (node._tag) {
    case 'InterfaceType':
    case 'PartialType':
      return node.props!;
    case 'IntersectionType':
      return Object.assign({}, ...node.types!.map(propsOf)) as Record<string, Node>;
    default:
      return node.type === undefined ? {} : propsOf(node.type);
  }
};

/** Whether `value` holds no member an exact codec inside `node` does not list, read off the codec, not the schema. */
const listsOnly = (node: Node, value: unknown): boolean => {
  const members = typeof value === 'object' && value !== null ? (value as Record<string, unknown>) : undefined;
  switch (node._tag) {
    case 'ExactType': {
      const listed = propsOf(node.type!);
      return (members === undefined || Object.keys(members).every((key) => key in listed)) && listsOnly(node.type!, value);
    }
    case 'InterfaceType':
    case 'PartialType':
      return members === undefined || Object.entries(node.props!).every(([key, member]) => !(key in members) || listsOnly(member, members[key]));
    case 'IntersectionType': {
      // The parts' members together are what it lists, and it refuses others only when every part is exact.
      const exact = node.types!.every((member) => member._tag === 'ExactType');
      const listed = propsOf(node);
      return (!exact || members === undefined || Object.keys(members).every((key) => key in listed)) &&
        node.types!.every((member) => listsOnly(member._tag === 'ExactType' ? member.type! : member, value));
    }
    case 'UnionType':
      return node.types!.some((member) => member.is(value) && listsOnly(member, value));
    case 'ArrayType':
    case 'ReadonlyArrayType':
      return !Array.isArray(value) || value.every((item) => listsOnly(node.type!, item));
    case 'RefinementType':
    case 'ReadonlyType':
      return listsOnly(node.type!, value);
    default:
      return true;
  }
};

/** io-ts `is`, plus the one thing a schema adds: an exact codec's object holds no member it does not list. */
const accepts = (codec: t.Mixed, value: unknown): boolean => codec.is(value) && listsOnly(codec as Node, value);

/** JSON values shaped like the codec's, with wrong members mixed in, so both verdicts come up often. */
const nearly = (schema: JsonSchema): fc.Arbitrary<unknown> => {
  const wrong = fc.oneof(fc.constant(null), fc.integer(), fc.string(), fc.boolean(), fc.constant([]), fc.constant({}));
  const right = (node: JsonSchema): fc.Arbitrary<unknown> => {
    if (node.anyOf) return fc.oneof(...node.anyOf.map(right));
    if (node.enum) return fc.constantFrom(...node.enum);
    if (node.const !== undefined) return fc.constant(node.const);
    switch (node.type) {
      case 'string': return fc.string();
      case 'number': return fc.double({ noNaN: true, noDefaultInfinity: true });
      case 'boolean': return fc.boolean();
      case 'null': return fc.constant(null);
      case 'array': return fc.array(nearly(node.items ?? {}), { maxLength: 3 });
      case 'object': {
        const members = Object.fromEntries(Object.entries(node.properties ?? {}).map(([key, member]) => [key, nearly(member)]));
        return fc.record(members, { requiredKeys: node.required === undefined ? [] : [...node.required] })
          .chain((value) => fc.oneof({ weight: 4, arbitrary: fc.constant(value) }, { weight: 1, arbitrary: fc.constant({ ...value, unlisted: 1 }) }));
      }
      default: return fc.jsonValue();
    }
  };
  return fc.oneof({ weight: 5, arbitrary: right(schema) }, { weight: 1, arbitrary: wrong });
};

// Every command codec, and codecs for the kinds they do not use themselves. `refined` codecs hold brands or
// refinements (CountryCode, NonEmptyString…), which their schema only names: it accepts more, the codec judges.
const codecs: Record<string, { readonly codec: t.Mixed; readonly refined: boolean }> = {
  ...Object.fromEntries(commandNames.map((name) => [name, { codec: commandRoutes[name].codec, refined: false }])),
  'list query': { codec: ListQuery, refined: false },
  literals: { codec: t.strict({ kind: t.union([t.literal('jury'), t.literal(2), t.literal(false)]), group: StakeholderGroup }), refined: false },
  'partial and boolean': { codec: t.partial({ flag: t.boolean, at: t.readonlyArray(t.union([t.string, t.null])) }), refined: false },
  'intersection of exacts': { codec: t.intersection([t.strict({ a: t.string }), t.strict({ b: t.number })]), refined: false },
  'named objects and brands': { codec: t.type({ opener: Opener, decidedBy: DecidedBy }), refined: true },
};

describe('the JSON Schemas of the codecs, as Fastify validates them', () => {
  for (const [name, { codec, refined }] of Object.entries(codecs)) {
    it(`accept ${refined ? 'at least' : 'exactly'} what the codec accepts (with no unlisted member where it is exact): ${name}`, () => {
      const schema = toJsonSchema(codec);
      const validate = compile(schema);
      let accepted = 0;
      fc.assert(fc.property(nearly(schema), (value) => {
        const verdict = validate(value);
        if (verdict) accepted++;
        return refined ? verdict || !accepts(codec, value) : verdict === accepts(codec, value);
      }), { numRuns: 300 });
      // A generator that only ever made wrong values would agree trivially.
      expect(accepted).toBeGreaterThan(10);
    });
  }

  it('describe what is wrong per member, with the members a union or an exact object takes', () => {
    const schema = commandRoutes['open-session'].schema;
    const validate = compile(schema);
    const body = {
      conferenceId: 'ecc2020', sessionId: 7, title: 'Panel', day: '2020-11-24',
      openers: [{ name: 'Chair', role: 7 }], ballot: { awardId: 'a' }, chair: 'x',
    };
    expect(validate(body)).toBe(false);
    expect(describeSchemaErrors(validate.errors!, body, schema, 'body')).toEqual([
      { pointer: '#/chair', detail: 'unknown member; OpenSession takes conferenceId, sessionId, title, day, openers, ballot' },
      { pointer: '#/sessionId', detail: 'expected string, got 7' },
      { pointer: '#/openers/0/role', detail: 'expected string, got 7' },
      { pointer: '#/ballot', detail: 'expected null | Ballot object, got {"awardId":"a"}' },
    ]);
    const missing = { conferenceId: 'ecc2020' };
    expect(compile(commandRoutes['close-ballot'].schema)(missing)).toBe(false);
    const closeBallot = compile(commandRoutes['close-ballot'].schema);
    closeBallot(missing);
    expect(describeSchemaErrors(closeBallot.errors!, missing, commandRoutes['close-ballot'].schema, 'body'))
      .toEqual([{ pointer: '#/sessionId', detail: 'expected string, got nothing (missing)' }]);
    const list = compile(toJsonSchema(ListQuery));
    const query = { limit: ['1', '2'], page: '3' };
    list(query);
    expect(describeSchemaErrors(list.errors!, query, toJsonSchema(ListQuery), 'querystring')).toEqual([
      { parameter: 'page', detail: 'unknown parameter; this path takes after, afterId, limit' },
      { parameter: 'limit', detail: 'expected string, got ["1","2"]' },
    ]);
  });
});
