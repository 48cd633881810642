/** A JSON type name as JSON Schema spells it. */
export type JsonSchemaType = 'string' | 'number' | 'boolean' | 'null' | 'array' | 'object';

/**
 * A JSON Schema using only keywords that draft-07 and draft 2020-12 (so OpenAPI 3.1) read alike: what Ajv validates
 * with its default draft and what an OpenAPI 3.1 document may embed unchanged.
 */
export interface JsonSchema {
  readonly type?: JsonSchemaType;
  /** The codec's own name, when it was given one: for a brand or refinement, the rule the schema cannot state. */
  readonly title?: string;
  readonly const?: string | number | boolean;
  readonly enum?: readonly (string | number | boolean)[];
  readonly items?: JsonSchema;
  readonly properties?: Readonly<Record<string, JsonSchema>>;
  readonly required?: readonly string[];
  readonly additionalProperties?: boolean;
  readonly anyOf?: readonly JsonSchema[];
  readonly allOf?: readonly JsonSchema[];
  /**
   * With `{ refinements: true }` only: the brands and refinements a value must also pass, innermost first, by name.
   * JSON Schema cannot state their predicates; naming them lets a reader of the schema (the event schema snapshot's
   * compatibility check) tell a refinement added from one removed.
   */
  readonly 'x-refinements'?: readonly string[];
}

/** Options of `toJsonSchema`. */
export interface JsonSchemaOptions {
  /**
   * Name every brand and refinement in an `x-refinements` list besides its `title` (off by default: validators in
   * strict mode, Ajv's among them, refuse keywords they do not know).
   */
  readonly refinements?: boolean;
}

// The codec fields the converter reads, by io-ts `_tag` (as in compileGuard).
interface Node {
  readonly _tag?: string;
  readonly name: string;
  readonly type?: Node;
  readonly types?: readonly Node[];
  readonly props?: Readonly<Record<string, Node>>;
  readonly keys?: Readonly<Record<string, unknown>>;
  readonly value?: string | number | boolean;
}

/** Names io-ts makes up (`{ a: string }`, `Array<string>`, `(A | B)`, `"x"`, `Partial<…>`) rather than ones a codec was given. */
const GENERATED_NAME = /^(?:[{("'\d-]|(?:Array|ReadonlyArray|Partial|Readonly|Exact)<|(?:string|number|boolean|null|unknown|true|false)$)/;

const titled = (schema: JsonSchema, node: Node): JsonSchema =>
  GENERATED_NAME.test(node.name) ? schema : { ...schema, title: node.name };

/** True for a schema that is one object with its properties listed: what an intersection can merge. */
const isPlainObject = (schema: JsonSchema): boolean =>
  schema.type === 'object' && schema.properties !== undefined && schema.anyOf === undefined && schema.allOf === undefined;

/** One object with every member's properties; a property two members share must pass both schemas. */
const mergeObjects = (schemas: readonly JsonSchema[]): JsonSchema => {
  const properties: Record<string, JsonSchema> = {};
  for (const schema of schemas) {
    for (const [key, member] of Object.entries(schema.properties!)) {
      const known = properties[key];
      properties[key] = known === undefined ? member : { allOf: [known, member] };
    }
  }
  const required = [...new Set(schemas.flatMap((schema) => schema.required ?? []))];
  return {
    type: 'object',
    properties,
    ...(required.length > 0 ? { required } : {}),
    // io-ts lets unknown members through unless every part is exact; then the merged object refuses them too.
    ...(schemas.every((schema) => schema.additionalProperties === false) ? { additionalProperties: false } : {}),
  };
};

const object = (props: Readonly<Record<string, Node>>, required: boolean, path: string, options: JsonSchemaOptions): JsonSchema => {
  const keys = Object.keys(props);
  return {
    type: 'object',
    properties: Object.fromEntries(keys.map((key) => [key, convert(props[key]!, path === '' ? key : `${path}.${key}`, options)])),
    ...(required && keys.length > 0 ? { required: keys } : {}),
  };
};

const SUPPORTED = 'string, number, boolean, null, unknown, literal, keyof, array, type, partial, strict/exact, readonly, ' +
  'intersection, union, brand and refinement';

/** Where a codec sits, for messages: `openers[].role`, or `(root)`. */
const shown = (path: string): string => path || '(root)';

const convert = (node: Node, path: string, options: JsonSchemaOptions): JsonSchema => {
  switch (node._tag) {
    case 'StringType':
      return { type: 'string' };
    case 'NumberType':
      return { type: 'number' };
    case 'BooleanType':
      return { type: 'boolean' };
    case 'NullType':
      return { type: 'null' };
    case 'UnknownType':
    case 'AnyType':
      return {};
    case 'LiteralType':
      return { const: node.value! };
    case 'KeyofType':
      return titled({ type: 'string', enum: Object.keys(node.keys!) }, node);
    case 'ArrayType':
    case 'ReadonlyArrayType':
      return titled({ type: 'array', items: convert(node.type!, `${path}[]`, options) }, node);
    case 'InterfaceType':
      return titled(object(node.props!, true, path, options), node);
    case 'PartialType':
      return titled(object(node.props!, false, path, options), node);
    case 'ExactType': {
      const inner = convert(node.type!, path, options);
      if (!isPlainObject(inner)) throw new TypeError(`toJsonSchema: ${shown(path)}: exact ${node.type!.name} is not one object, which JSON Schema needs to list its members`);
      // io-ts strips members an exact type does not list; a schema can only refuse them, which is what an API wants.
      return titled({ ...inner, additionalProperties: false }, node);
    }
    case 'ReadonlyType':
      return titled(convert(node.type!, path, options), node);
    case 'RefinementType': {
      // A brand or refinement checks a predicate JSON Schema cannot state: the schema is its base, named after it.
      const base = convert(node.type!, path, options);
      if (!options.refinements) return { ...base, title: node.name };
      return { ...base, title: node.name, 'x-refinements': [...(base['x-refinements'] ?? []), node.name] };
    }
    case 'IntersectionType': {
      const members = node.types!.map((member) => convert(member, path, options));
      return titled(members.every(isPlainObject) ? mergeObjects(members) : { allOf: members }, node);
    }
    case 'UnionType': {
      const members = node.types!.map((member) => convert(member, path, options));
      const constants = members.every((member) => member.const !== undefined && Object.keys(member).length === 1);
      return titled(constants ? { enum: members.map((member) => member.const!) } : { anyOf: members }, node);
    }
    default:
      throw new TypeError(`toJsonSchema: ${shown(path)}: io-ts ${node._tag ?? 'custom type'} ${node.name} has no JSON Schema here; it converts ${SUPPORTED}`);
  }
};

/**
 * The JSON Schema of an io-ts codec, for validation at an edge (Ajv, Fastify) and for API documents (OpenAPI 3.1).
 * The schema accepts exactly the JSON values the codec's `is` accepts, with two differences it cannot avoid:
 * - a brand or refinement becomes the schema of its base codec with `title` set to its name: the predicate (a slug,
 *   a country code, a positive integer) is code, so the schema accepts more, and the codec stays the judge;
 * - an exact (strict) object sets `additionalProperties: false`: io-ts strips members it does not list, a schema
 *   refuses them, so a client that misspells an optional member hears about it.
 * A codec given a name (`t.type({...}, 'Opener')`) carries it as `title`. Tuples, records, recursion, `undefined`
 * and custom types throw a `TypeError` naming the path, rather than yield a schema that would mean something else.
 * `{ refinements: true }` also lists each brand and refinement by name in `x-refinements` (see `JsonSchema`).
 */
export const toJsonSchema = (codec: { readonly name: string }, options: JsonSchemaOptions = {}): JsonSchema =>
  convert(codec as Node, '', options);
