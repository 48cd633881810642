/**
 * Reader compatibility of two payload schemas (as `toJsonSchema(codec, { refinements: true })` writes them): can a
 * codec described by the new schema read every payload stored under the old one, and keep what it holds? The rules
 * are listed once, in the domain README ("Event schema snapshots"); each is a case below.
 */
import type { JsonSchema } from './json-schema.js';

/** One way a new schema fails payloads stored under an old one. */
export interface SchemaBreak {
  /** Where in the payload: `country`, `decidedBy.tally[].votes`; `''` for the payload itself. */
  readonly path: string;
  /** What changed and what it does to stored payloads: ``field `country` was removed; stored events carry it``. */
  readonly problem: string;
  /** What an upcaster to a new schema version would do about it: `that renames \`country\` to \`nation\``. */
  readonly upcast: string;
  /** The fix that needs no new schema version, where there is one: `keep the field optional`. */
  readonly alternative?: string;
}

interface At {
  readonly path: string;
  /** The union member the path is in, as a condition: ``where `decidedBy.kind` is "vote"``. */
  readonly where: string | undefined;
  /** The new schema is one part of an intersection: fields it does not list may be another part's. */
  readonly partial: boolean;
  /** The old schema is one member of a union: a mismatch means the new one no longer accepts that member. */
  readonly member: boolean;
}

const ANNOTATIONS = new Set(['title']);

/** A schema without annotations, keys, `required` and `enum` sorted: two schemas meaning the same compare equal. */
const canonical = (schema: unknown): unknown => {
  if (Array.isArray(schema)) return schema.map(canonical);
  if (typeof schema !== 'object' || schema === null) return schema;
  const entries = Object.entries(schema as Record<string, unknown>)
    .filter(([key]) => !ANNOTATIONS.has(key))
    .map(([key, value]): [string, unknown] =>
      key === 'required' || key === 'enum' || key === 'x-refinements'
        ? [key, [...(value as unknown[])].map((v) => JSON.stringify(v)).sort()]
        : [key, key === 'properties' ? Object.fromEntries(Object.entries(value as object).map(([k, v]) => [k, canonical(v)])) : canonical(value)])
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return Object.fromEntries(entries);
};

/** Whether two schemas accept the same values, titles aside. */
const sameSchema = (a: JsonSchema, b: JsonSchema): boolean => JSON.stringify(canonical(a)) === JSON.stringify(canonical(b));

const refinementsOf = (schema: JsonSchema): readonly string[] => schema['x-refinements'] ?? [];

/** `schema` with `outer`'s refinements added: a refined union or intersection refines each of its members. */
const withRefinements = (schema: JsonSchema, outer: readonly string[]): JsonSchema =>
  outer.length === 0 ? schema : { ...schema, 'x-refinements': [...new Set([...outer, ...refinementsOf(schema)])] };

const isAny = (schema: JsonSchema): boolean =>
  schema.type === undefined && schema.const === undefined && schema.enum === undefined && schema.anyOf === undefined &&
  schema.allOf === undefined && refinementsOf(schema).length === 0;

const acceptsAnything = (schema: JsonSchema): boolean => isAny(schema) || (schema.anyOf?.some(acceptsAnything) ?? false);

const shownValue = (value: string | number | boolean): string => JSON.stringify(value);

const either = (words: readonly string[]): string =>
  words.length <= 1 ? (words[0] ?? 'nothing') : `${words.slice(0, -1).join(', ')} or ${words[words.length - 1]}`;

/** A schema in words, for messages: `CountryCode`, `number`, `"jury"`, `PositiveInteger or null`. */
const describeSchema = (schema: JsonSchema): string => {
  const refinements = refinementsOf(schema);
  if (refinements.length > 0) return refinements[refinements.length - 1]!;
  if (schema.const !== undefined) return shownValue(schema.const);
  if (schema.enum !== undefined) return either(schema.enum.map(shownValue));
  if (schema.anyOf !== undefined) return either(schema.anyOf.map(describeSchema));
  if (schema.allOf !== undefined) return schema.allOf.map(describeSchema).join(' and ');
  if (schema.type === 'object') return 'an object';
  if (schema.type === 'array') return `an array of ${describeSchema(schema.items ?? {})}`;
  return schema.type ?? 'any value';
};

const jsonType = (value: string | number | boolean): JsonSchema['type'] =>
  typeof value === 'string' ? 'string' : typeof value === 'number' ? 'number' : 'boolean';

/**
 * Whether a value of the old schema, which passed the refinements `checked`, passes `schema`. A refinement the old
 * schema did not name is a predicate the value was never checked against: it may fail it.
 */
const acceptsValue = (schema: JsonSchema, value: string | number | boolean, checked: readonly string[]): boolean => {
  if (refinementsOf(schema).some((name) => !checked.includes(name))) return false;
  if (schema.anyOf !== undefined) return schema.anyOf.some((member) => acceptsValue(withRefinements(member, refinementsOf(schema)), value, checked));
  if (schema.allOf !== undefined) return schema.allOf.every((member) => acceptsValue(member, value, checked));
  if (schema.const !== undefined) return schema.const === value;
  if (schema.enum !== undefined) return schema.enum.includes(value);
  return schema.type === undefined || schema.type === jsonType(value);
};

const subject = (at: At): string => (at.path === '' ? 'the payload' : `field \`${at.path}\``);
const inMember = (at: At): string => (at.where === undefined ? '' : ` (${at.where})`);
const child = (at: At, key: string): At => ({ path: at.path === '' ? key : `${at.path}.${key}`, where: at.where, partial: false, member: false });

const broken = (at: At, problem: string, upcast: string, alternative?: string): SchemaBreak =>
  ({ path: at.path, problem: `${problem}${inMember(at)}`, upcast, ...(alternative === undefined ? {} : { alternative }) });

/** ``where `decidedBy.kind` is "vote"`` for an object member with literal-valued fields, the tags of a tagged union. */
const memberCondition = (schema: JsonSchema, at: At): string | undefined => {
  const tags = Object.entries(schema.properties ?? {}).filter(([, property]) => property.const !== undefined);
  if (schema.type !== 'object' || tags.length === 0) return undefined;
  return `where ${tags.map(([key, property]) => `\`${child(at, key).path}\` is ${shownValue(property.const!)}`).join(' and ')}`;
};

const sharesTags = (old: JsonSchema, candidate: JsonSchema): boolean => {
  const tags = Object.entries(old.properties ?? {}).filter(([, property]) => property.const !== undefined);
  return tags.length > 0 && tags.every(([key, property]) => candidate.properties?.[key]?.const === property.const);
};

/**
 * Whether `old`, a tagged member of an old union, lost its place: the new side is tagged by the same fields, and no
 * member of it carries `old`'s tags. One break then says so, rather than every field of the member.
 */
const memberRemoved = (old: JsonSchema, neu: JsonSchema): boolean => {
  const tags = Object.keys(old.properties ?? {}).filter((key) => old.properties![key]!.const !== undefined);
  const candidates = neu.anyOf ?? [neu];
  return tags.length > 0 && candidates.every((candidate) => tags.every((key) => candidate.properties?.[key]?.const !== undefined)) &&
    !candidates.some((candidate) => sharesTags(old, candidate));
};

const unique = (breaks: readonly SchemaBreak[]): SchemaBreak[] => {
  const seen = new Set<string>();
  return breaks.filter((each) => {
    const key = `${each.path}\u0000${each.problem}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
};

const compareObjects = (old: JsonSchema, neu: JsonSchema, at: At): SchemaBreak[] => {
  const oldProperties = old.properties ?? {};
  const newProperties = neu.properties ?? {};
  const oldRequired = new Set(old.required ?? []);
  const newRequired = new Set(neu.required ?? []);
  const removed = Object.keys(oldProperties).filter((key) => !(key in newProperties));
  const added = Object.keys(newProperties).filter((key) => !(key in oldProperties));
  const breaks: SchemaBreak[] = [];
  // A field gone and a required one of the same schema come in its place: one rename, not two breaks.
  const renamed = new Map<string, string>();
  for (const from of removed) {
    const to = added.find((key) => newRequired.has(key) && ![...renamed.values()].includes(key) && sameSchema(oldProperties[from]!, newProperties[key]!));
    if (to !== undefined) renamed.set(from, to);
  }
  for (const [from, to] of renamed) {
    const [a, b] = [child(at, from).path, child(at, to).path];
    breaks.push(broken(child(at, from), `field \`${a}\` was renamed to \`${b}\`; stored events carry \`${a}\` and lack \`${b}\``,
      `that renames \`${a}\` to \`${b}\``));
  }
  if (!at.partial) {
    for (const key of removed.filter((each) => !renamed.has(each))) {
      const where = child(at, key);
      breaks.push(broken(where, `${subject(where)} was removed; stored events ${oldRequired.has(key) ? 'carry' : 'may carry'} it`,
        `that drops or moves \`${where.path}\``, 'keep the field optional'));
    }
  }
  for (const key of added.filter((each) => newRequired.has(each) && ![...renamed.values()].includes(each))) {
    const where = child(at, key);
    breaks.push(broken(where, `${subject(where)} is new and required; stored events lack it`, `that sets \`${where.path}\``, 'make it optional'));
  }
  for (const key of Object.keys(oldProperties).filter((each) => each in newProperties)) {
    const where = child(at, key);
    if (newRequired.has(key) && !oldRequired.has(key)) {
      breaks.push(broken(where, `${subject(where)} became required; stored events may lack it`, `that sets \`${where.path}\` where it is missing`, 'keep it optional'));
    }
    breaks.push(...compare(oldProperties[key]!, newProperties[key]!, where));
  }
  return breaks;
};

const compare = (old: JsonSchema, neu: JsonSchema, at: At): SchemaBreak[] => {
  if (sameSchema(old, neu)) return [];
  // Every member of an old union was stored: each must still be read.
  if (old.anyOf !== undefined) {
    return unique(old.anyOf.flatMap((member) => {
      const refined = withRefinements(member, refinementsOf(old));
      return compare(refined, neu, { ...at, where: memberCondition(refined, at) ?? at.where, member: true });
    }));
  }
  if (old.allOf !== undefined) {
    // A stored value passed every part: pair them up when the parts line up, else one part read in full is enough.
    if (neu.allOf !== undefined && neu.allOf.length === old.allOf.length) {
      return unique(old.allOf.flatMap((part, index) => compare(part, neu.allOf![index]!, at)));
    }
    const tries = old.allOf.map((part) => compare(withRefinements(part, refinementsOf(old)), neu, at));
    return tries.find((breaks) => breaks.length === 0) ?? tries.reduce((a, b) => (b.length < a.length ? b : a));
  }
  // Stored literals: each must still be accepted.
  if (old.const !== undefined || old.enum !== undefined) {
    const values = old.const !== undefined ? [old.const] : old.enum!;
    const lost = values.filter((value) => !acceptsValue(neu, value, refinementsOf(old)));
    if (lost.length === 0) return [];
    const shown = either(lost.map(shownValue));
    return [broken(at, `${subject(at)} no longer accepts ${shown}; stored events may hold ${lost.length === 1 ? 'it' : 'them'}`,
      `that maps ${shown} to ${describeSchema(neu)}`, `accept ${shown} again`)];
  }
  if (acceptsAnything(neu)) return [];
  if (at.member && memberRemoved(old, neu)) {
    return [{ path: at.path, problem: `${subject(at)} no longer accepts its member ${at.where!}; stored events may hold it`,
      upcast: 'that turns those payloads into a member it accepts', alternative: 'keep the member in the union' }];
  }
  const added = refinementsOf(neu).filter((name) => !refinementsOf(old).includes(name));
  if (isAny(old)) {
    return [broken(at, `${subject(at)} accepted any value and now only ${describeSchema(neu)}; stored events may hold others`,
      `that makes every stored value ${describeSchema(neu)}`, 'accept any value again')];
  }
  if (neu.allOf !== undefined) {
    return unique(neu.allOf.flatMap((part) => compare(old, withRefinements(part, refinementsOf(neu)), { ...at, partial: true })));
  }
  if (neu.anyOf !== undefined) {
    const members = neu.anyOf.map((member) => withRefinements(member, refinementsOf(neu)));
    const tries = members.map((member) => ({ member, breaks: compare(old, member, at) }));
    if (tries.some(({ breaks }) => breaks.length === 0)) return [];
    // Explain against the member the stored value was meant for: the one with its tags, else the nearest.
    const rank = ({ member, breaks }: { member: JsonSchema; breaks: SchemaBreak[] }) => (sharesTags(old, member) ? 0 : 1_000_000) + breaks.length;
    return tries.reduce((a, b) => (rank(b) < rank(a) ? b : a)).breaks;
  }
  if (neu.const !== undefined || neu.enum !== undefined) {
    return [broken(at, `${subject(at)} accepted any ${describeSchema(old)} and now only ${describeSchema(neu)}; stored events may hold others`,
      `that maps stored values to ${describeSchema(neu)}`, `accept any ${describeSchema(old)} again`)];
  }
  if (old.type !== neu.type) {
    const problem = at.member
      ? `${subject(at)} no longer accepts ${describeSchema(old)}; stored events may hold it`
      : `${subject(at)} changed from ${describeSchema(old)} to ${describeSchema(neu)}; stored events hold ${describeSchema(old)}`;
    return [broken(at, problem, `that converts ${describeSchema(old)} to ${describeSchema(neu)}`, `accept ${describeSchema(old)} too (a union)`)];
  }
  const narrowed = added.length === 0 ? [] : [broken(at,
    `${subject(at)} must now also be ${either(added)}, which stored values were never checked against`,
    `that makes stored values ${either(added)}`, `drop ${either(added)} from the field`)];
  if (neu.type === 'array') return [...narrowed, ...compare(old.items ?? {}, neu.items ?? {}, { path: `${at.path}[]`, where: at.where, partial: false, member: false })];
  if (neu.type === 'object') return [...narrowed, ...compareObjects(old, neu, at)];
  return narrowed;
};

/**
 * Why a codec described by `neu` cannot stand in for one described by `old` as the reader of payloads stored under
 * `old`; empty when it can. A break is a payload the new codec would refuse (a new required field, a changed type, a
 * dropped literal or union member, an added refinement) or read without a field it holds (a removed or renamed
 * field: io-ts ignores or strips unknown members, so the data would be silently lost, and a later field of that name
 * would meet stored values it never described). Titles do not matter; `additionalProperties` does not either, since
 * io-ts never refuses unknown members. Refinements are known by name only: a predicate narrowed under the same name is
 * for the golden corpus to catch.
 */
export const schemaBreaks = (old: JsonSchema, neu: JsonSchema): SchemaBreak[] =>
  unique(compare(old, neu, { path: '', where: undefined, partial: false, member: false }));
