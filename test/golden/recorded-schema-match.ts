import type { JsonSchema } from '@clusterconf/domain';

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

const hasType = (value: unknown, type: NonNullable<JsonSchema['type']>): boolean =>
  type === 'null' ? value === null : type === 'array' ? Array.isArray(value) : type === 'object' ? isObject(value) : typeof value === type;

const at = (path: string): string => path || '(root)';

/**
 * Why `value` is not a payload of `schema`, a schema as the event schema snapshot records it, or `undefined`. Objects
 * are closed: a writer encodes through its codec, so a stored payload holds only fields its version's schema lists.
 * Refinements are not checked here, their predicates being code: decoding with the registry is that check.
 */
export const recordedSchemaMismatch = (schema: JsonSchema, value: unknown, path = ''): string | undefined => {
  if (schema.anyOf !== undefined) {
    const misses = schema.anyOf.map((member) => recordedSchemaMismatch(member, value, path));
    return misses.includes(undefined) ? undefined : `${at(path)}: matches no member of the union (${misses.join('; ')})`;
  }
  if (schema.allOf !== undefined) {
    const miss = schema.allOf.map((member) => recordedSchemaMismatch(member, value, path)).find((each) => each !== undefined);
    if (miss !== undefined) return miss;
  }
  if (schema.const !== undefined && value !== schema.const) return `${at(path)}: ${JSON.stringify(value)} is not ${JSON.stringify(schema.const)}`;
  if (schema.enum !== undefined && !schema.enum.includes(value as string)) return `${at(path)}: ${JSON.stringify(value)} is not one of the enum`;
  if (schema.type !== undefined && !hasType(value, schema.type)) return `${at(path)}: ${JSON.stringify(value)} is not of type ${schema.type}`;
  if (schema.items !== undefined && Array.isArray(value)) {
    const miss = value.map((item, index) => recordedSchemaMismatch(schema.items!, item, `${path}[${index}]`)).find((each) => each !== undefined);
    if (miss !== undefined) return miss;
  }
  if (schema.properties !== undefined && isObject(value)) {
    const properties = schema.properties;
    const field = (key: string) => (path === '' ? key : `${path}.${key}`);
    const missing = (schema.required ?? []).find((key) => !(key in value));
    if (missing !== undefined) return `${field(missing)}: missing`;
    const unlisted = Object.keys(value).find((key) => !(key in properties));
    if (unlisted !== undefined) return `${field(unlisted)}: not a field of the recorded schema`;
    return Object.entries(value).map(([key, member]) => recordedSchemaMismatch(properties[key]!, member, field(key))).find((each) => each !== undefined);
  }
  return undefined;
};
