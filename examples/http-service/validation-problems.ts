import type { JsonSchema } from '@clusterconf/domain';
import type { ProblemItem } from './problem-details.js';

/** The fields of an Ajv error this module reads (Fastify hands them over as `error.validation`). */
export interface SchemaError {
  readonly keyword: string;
  readonly instancePath: string;
  readonly schemaPath: string;
  readonly params: Readonly<Record<string, unknown>>;
  readonly message?: string | undefined;
}

/** Where the value failed: the body, with JSON pointers, or the query string, by parameter. */
export type ValidatedPart = 'body' | 'querystring';

// Bad input may be anything: describing it must never throw, nor flood the answer.
const show = (value: unknown): string => {
  if (value === undefined) return 'nothing';
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 60 ? `${text.slice(0, 60)}…` : text;
};

const unescape = (segment: string): string => segment.replaceAll('~1', '/').replaceAll('~0', '~');

/** The value at a JSON pointer (`/openers/0/role`), or undefined. */
const valueAt = (root: unknown, pointer: string): unknown =>
  pointer === ''
    ? root
    : pointer.slice(1).split('/').map(unescape).reduce<unknown>((value, key) => (typeof value === 'object' && value !== null ? (value as Record<string, unknown>)[key] : undefined), root);

/** The schema at an Ajv schema path (`#/properties/openers/items`), or undefined. */
const schemaAt = (root: JsonSchema, path: string): unknown =>
  path.replace(/^#/, '').split('/').filter((segment) => segment !== '').map(unescape)
    .reduce<unknown>((node, key) => (typeof node === 'object' && node !== null ? (node as Record<string, unknown>)[key] : undefined), root);

const parentPath = (path: string): string => path.slice(0, path.lastIndexOf('/'));

/** What a schema accepts, in a few words: `string`, `number | null`, `array of Opener`, `one of "a", "b"`. */
export const describeSchema = (schema: JsonSchema | undefined): string => {
  if (schema === undefined) return 'anything';
  if (schema.anyOf) return schema.anyOf.map(describeSchema).join(' | ');
  if (schema.allOf) return schema.allOf.map(describeSchema).join(' & ');
  if (schema.enum) return `one of ${schema.enum.map((value) => JSON.stringify(value)).join(', ')}`;
  if (schema.const !== undefined) return JSON.stringify(schema.const);
  if (schema.type === 'array') return `array of ${describeSchema(schema.items)}`;
  if (schema.type === 'object') return schema.title === undefined ? 'object' : `${schema.title} object`;
  return schema.type ?? 'anything';
};

/** A JSON pointer as a URI fragment (RFC 6901 §6): `#/openers/0/role`, `#` for the whole body. */
const pointerTo = (instancePath: string): string => `#${instancePath.split('/').map(encodeURIComponent).join('/')}`;

/** A member's pointer below an object's: `#/openers/0` and `role` give `#/openers/0/role`. */
const memberPointer = (instancePath: string, member: string): string =>
  pointerTo(`${instancePath}/${member.replaceAll('~', '~0').replaceAll('/', '~1')}`);

const detailOf = (error: SchemaError, input: unknown, schema: JsonSchema, part: ValidatedPart): { readonly at: string; readonly member?: string; readonly detail: string } => {
  const value = valueAt(input, error.instancePath);
  switch (error.keyword) {
    case 'required': {
      const member = String(error.params['missingProperty']);
      const parent = schemaAt(schema, parentPath(error.schemaPath)) as JsonSchema | undefined;
      return { at: error.instancePath, member, detail: `expected ${describeSchema(parent?.properties?.[member])}, got nothing (missing)` };
    }
    case 'additionalProperties': {
      const member = String(error.params['additionalProperty']);
      const parent = schemaAt(schema, parentPath(error.schemaPath)) as JsonSchema | undefined;
      const known = Object.keys(parent?.properties ?? {});
      const takes = known.length === 0 ? 'none' : known.join(', ');
      return part === 'querystring'
        ? { at: error.instancePath, member, detail: `unknown parameter; this path takes ${takes}` }
        : { at: error.instancePath, member, detail: `unknown member; ${parent?.title ?? 'this object'} takes ${takes}` };
    }
    case 'anyOf':
      return { at: error.instancePath, detail: `expected ${describeSchema({ anyOf: schemaAt(schema, error.schemaPath) as JsonSchema[] })}, got ${show(value)}` };
    case 'type':
    case 'enum':
    case 'const':
      return { at: error.instancePath, detail: `expected ${describeSchema(schemaAt(schema, parentPath(error.schemaPath)) as JsonSchema)}, got ${show(value)}` };
    default:
      return { at: error.instancePath, detail: `${error.message ?? `fails ${error.keyword}`}, got ${show(value)}` };
  }
};

/**
 * Turns the errors of a schema validation into RFC 9457 `errors` entries, one per wrong member: a JSON pointer into
 * the body (or the query parameter) and "expected string, got 7", "expected number | null, got nothing (missing)",
 * "unknown member; FoundAlliance takes allianceId, name". The errors Ajv reports inside a union's alternatives are
 * folded into the union's own entry. Pure.
 */
export const describeSchemaErrors = (errors: readonly SchemaError[], input: unknown, schema: JsonSchema, part: ValidatedPart): ProblemItem[] => {
  const unions = errors.filter((error) => error.keyword === 'anyOf').map((error) => `${error.schemaPath}/`);
  const items = errors
    .filter((error) => !unions.some((union) => error.schemaPath.startsWith(union)))
    .map((error) => {
      const { at, member, detail } = detailOf(error, input, schema, part);
      if (part === 'body') return { pointer: member === undefined ? pointerTo(at) : memberPointer(at, member), detail };
      const parameter = member ?? (unescape(at.split('/')[1] ?? '') || '(query)');
      return { parameter, detail };
    });
  // allErrors reports a member missing from several alternatives once per alternative.
  return [...new Map(items.map((item) => [JSON.stringify(item), item])).values()];
};
