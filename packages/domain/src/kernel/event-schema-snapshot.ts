/**
 * The event schema snapshot: the recorded shape of every schema version of every event type a registry reads, as a
 * committed JSON file. The current version's shape comes from its codec; an older version's shape is kept as it was
 * recorded, because no codec describes it any more and stored events still carry it.
 */
import type { AnyEventDefinition } from './event-registry.js';
import { ClusterconfError } from './errors.js';
import { type JsonSchema, toJsonSchema } from './json-schema.js';

/** The format tag of a snapshot file. */
export const EVENT_SCHEMAS_FORMAT = 'clusterconf-event-schemas/1';

/** What a snapshot file says about itself, for a reader who opens it. */
export const EVENT_SCHEMAS_ABOUT =
  'The payload schema of every version of every event type, as stored events carry them. Written by `clusterconf schema check ' +
  '--update`; older versions are kept as recorded. Never delete a version: stored events may carry it.';

/** Event type, then schema version (`"1"`, `"2"`…), then the payload's schema at that version. */
export type RecordedEventSchemas = Readonly<Record<string, Readonly<Record<string, JsonSchema>>>>;

/** A snapshot: what `formatEventSchemaSnapshot` writes and `parseEventSchemaSnapshot` reads. */
export interface EventSchemaSnapshot {
  readonly format: typeof EVENT_SCHEMAS_FORMAT;
  readonly events: RecordedEventSchemas;
}

/** The snapshot of a registry that records nothing yet. */
export const emptyEventSchemaSnapshot: EventSchemaSnapshot = { format: EVENT_SCHEMAS_FORMAT, events: {} };

/** A snapshot file that cannot be read as one. */
export class EventSchemaSnapshotError extends ClusterconfError {
  readonly code = 'BAD_EVENT_SCHEMA_SNAPSHOT';
  constructor(readonly source: string, problem: string) {
    super(`${source}: ${problem}`);
  }
}

/**
 * The schema of a definition's current version: its codec's JSON Schema with every brand and refinement named. A
 * codec `toJsonSchema` cannot describe is a `TypeError` naming the event type and the path.
 */
export const describeEventSchema = (definition: AnyEventDefinition): JsonSchema => {
  try {
    return toJsonSchema(definition.codec, { refinements: true });
  } catch (error) {
    throw new TypeError(`${definition.type} v${definition.schemaVersion}: ${(error as Error).message}; ` +
      'describe the payload with those combinators so that its schema can be recorded and checked', { cause: error });
  }
};

const byName = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/** The snapshot's text: types in name order, versions in number order, two-space indents, a final newline. */
export const formatEventSchemaSnapshot = (snapshot: EventSchemaSnapshot): string => {
  const events = Object.fromEntries(Object.keys(snapshot.events).sort(byName).map((type) => {
    const versions = snapshot.events[type]!;
    return [type, Object.fromEntries(Object.keys(versions).sort((a, b) => Number(a) - Number(b)).map((version) => [version, versions[version]]))];
  }));
  return `${JSON.stringify({ format: snapshot.format, about: EVENT_SCHEMAS_ABOUT, events }, null, 2)}\n`;
};

const KEYWORDS = new Set(['type', 'title', 'const', 'enum', 'items', 'properties', 'required', 'additionalProperties', 'anyOf', 'allOf', 'x-refinements']);
const TYPES = new Set(['string', 'number', 'boolean', 'null', 'array', 'object']);

const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);
const isStrings = (value: unknown): boolean => Array.isArray(value) && value.every((each) => typeof each === 'string');
const isScalar = (value: unknown): boolean => ['string', 'number', 'boolean'].includes(typeof value);

/** Why one keyword's value is not what `toJsonSchema` writes there, naming where, or `undefined`. */
const keywordProblem = (key: string, member: unknown, where: string): string | undefined => {
  switch (key) {
    case 'type':
      return TYPES.has(member as string) ? undefined : `${where} is not one of ${[...TYPES].join(', ')}`;
    case 'title':
      return typeof member === 'string' ? undefined : `${where} is not a string`;
    case 'const':
      return isScalar(member) ? undefined : `${where} is not a string, number or boolean`;
    case 'enum':
      return Array.isArray(member) && member.every(isScalar) ? undefined : `${where} is not a list of strings, numbers or booleans`;
    case 'required':
    case 'x-refinements':
      return isStrings(member) ? undefined : `${where} is not a list of strings`;
    case 'additionalProperties':
      return typeof member === 'boolean' ? undefined : `${where} is not true or false`;
    case 'items':
      return schemaProblem(member, where);
    case 'properties':
      if (!isRecord(member)) return `${where} is not an object`;
      return Object.entries(member).map(([name, schema]) => schemaProblem(schema, `${where}.${name}`)).find((problem) => problem !== undefined);
    case 'anyOf':
    case 'allOf':
      if (!Array.isArray(member)) return `${where} is not a list`;
      return member.map((schema, index) => schemaProblem(schema, `${where}[${index}]`)).find((problem) => problem !== undefined);
    default:
      return `${where} is not a keyword the check knows (${[...KEYWORDS].join(', ')})`;
  }
};

/** Why `value` is not a schema as `toJsonSchema` writes them, naming where, or `undefined`. */
const schemaProblem = (value: unknown, at: string): string | undefined => {
  if (!isRecord(value)) return `${at} is not a schema object`;
  return Object.entries(value).map(([key, member]) => keywordProblem(key, member, `${at}.${key}`)).find((problem) => problem !== undefined);
};

/**
 * Reads a snapshot file's text; `source` names it in errors. Refuses, naming the place, anything but the format
 * `formatEventSchemaSnapshot` writes, so that a hand edit (an old version added from version control) cannot slip
 * in a keyword the check would not read.
 */
export const parseEventSchemaSnapshot = (text: string, source: string): EventSchemaSnapshot => {
  const fail = (problem: string): never => {
    throw new EventSchemaSnapshotError(source, `${problem}; restore the file from version control, or correct it by hand`);
  };
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    return fail(`not valid JSON (${(error as Error).message})`);
  }
  if (!isRecord(value) || value.format !== EVENT_SCHEMAS_FORMAT) {
    return fail(`not an event schema snapshot: expected an object with "format": "${EVENT_SCHEMAS_FORMAT}"`);
  }
  if (!isRecord(value.events)) return fail('"events" is not an object of event types');
  for (const [type, versions] of Object.entries(value.events)) {
    if (!isRecord(versions) || Object.keys(versions).length === 0) fail(`events.${type} is not an object of schema versions`);
    for (const [version, schema] of Object.entries(versions as Record<string, unknown>)) {
      if (!/^[1-9]\d*$/.test(version)) fail(`events.${type} has the version "${version}", which is not a whole number >= 1`);
      const problem = schemaProblem(schema, `events.${type}.${version}`);
      if (problem !== undefined) fail(problem);
    }
  }
  return { format: EVENT_SCHEMAS_FORMAT, events: value.events as RecordedEventSchemas };
};
