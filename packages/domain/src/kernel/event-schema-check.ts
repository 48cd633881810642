/**
 * The event schema check: a registry's codecs against the snapshot of what stored events carry. The rules of one
 * version against its recorded shape are `schemaBreaks`'; this module applies them across types and versions and
 * says, per finding, what to do.
 */
import type { AnyEventDefinition } from './event-registry.js';
import {
  describeEventSchema, EVENT_SCHEMAS_FORMAT, type EventSchemaSnapshot, type RecordedEventSchemas,
} from './event-schema-snapshot.js';
import type { JsonSchema } from './json-schema.js';
import { type SchemaBreak, schemaBreaks } from './schema-compatibility.js';

/** One finding of the check, about one version of one event type. */
export interface EventSchemaFinding {
  readonly type: string;
  readonly schemaVersion: number;
  /** The whole finding in one line, starting `<type> v<version>: `, with what to do. */
  readonly message: string;
}

/** What `checkEventSchemas` found. The check fails on `breaks` and `gaps`; `unrecorded` is for `--update` to record. */
export interface EventSchemaCheck {
  /** Changes that make stored events unreadable or lose what they hold. `--update` refuses to record them. */
  readonly breaks: readonly EventSchemaFinding[];
  /** Versions stored events may carry that the snapshot has no shape for and no codec describes any more. */
  readonly gaps: readonly EventSchemaFinding[];
  /** New types, new versions and compatible changes the snapshot does not record yet. */
  readonly unrecorded: readonly EventSchemaFinding[];
  /** The snapshot with everything unrecorded recorded; a type with a break keeps its recorded shape. */
  readonly updated: EventSchemaSnapshot;
}

const versionsOf = (recorded: Readonly<Record<string, JsonSchema>>): number[] => Object.keys(recorded).map(Number).sort((a, b) => a - b);

const listed = (versions: readonly number[]): string => versions.map((version) => `v${version}`).join(', ');

/** A break as one line: what changed, then the fix by a new version and the fix without one. */
const breakMessage = (type: string, version: number, found: SchemaBreak): string =>
  `${type} v${version}: ${found.problem}. Add schemaVersion ${version + 1} with an upcaster from v${version} ${found.upcast}` +
  `${found.alternative === undefined ? '' : `, or ${found.alternative}`}.`;

/** Every version of `type` from 1 to `upTo` that `recorded` lacks. */
const missingVersions = (recorded: Readonly<Record<string, JsonSchema>>, upTo: number): number[] =>
  Array.from({ length: upTo }, (_, index) => index + 1).filter((version) => recorded[String(version)] === undefined);

const gapMessage = (type: string, version: number, current: number): string =>
  `${type} v${version}: the snapshot has no shape for it, and the codec describes v${current} only; stored events may carry ` +
  `v${version}. Add it to the snapshot by hand from the codec that wrote it (version control), as toJsonSchema(codec, { refinements: true }) prints it.`;

/**
 * Checks `definitions` (a registry's, `registry.definitions`) against `recorded`, the committed snapshot:
 * - a type at the version the snapshot last recorded must read every payload of that recorded shape (`schemaBreaks`);
 * - a type at a newer version is free to change shape, its upcasters bridge the old ones (the golden corpus tests
 *   them); the versions before it keep their recorded shapes, and one recorded by no one is a gap;
 * - a recorded version newer than the code, or a recorded type the registry lacks, is a break: stored events of
 *   them would fail to decode.
 * Pure: reading and writing the file is the caller's.
 */
export const checkEventSchemas = (recorded: EventSchemaSnapshot, definitions: readonly AnyEventDefinition[]): EventSchemaCheck => {
  const breaks: EventSchemaFinding[] = [];
  const gaps: EventSchemaFinding[] = [];
  const unrecorded: EventSchemaFinding[] = [];
  const events: Record<string, Readonly<Record<string, JsonSchema>>> = { ...recorded.events };

  for (const definition of definitions) {
    const { type, schemaVersion: current } = definition;
    const schema = describeEventSchema(definition);
    const versions = recorded.events[type] ?? {};
    const known = versionsOf(versions);
    const latest = known[known.length - 1] ?? 0;
    const record = () => {
      events[type] = { ...versions, [String(current)]: schema };
    };
    for (const version of missingVersions(versions, current - 1)) gaps.push({ type, schemaVersion: version, message: gapMessage(type, version, current) });

    if (latest > current) {
      breaks.push({
        type, schemaVersion: latest,
        message: `${type} v${latest}: the snapshot records ${listed(known)}, but the code is at schemaVersion ${current}; stored events at ` +
          `v${latest} would read as newer than the code knows. Restore schemaVersion ${latest} and its upcasters.`,
      });
    } else if (latest < current) {
      unrecorded.push({
        type, schemaVersion: current,
        message: latest === 0 ? `${type} v${current}: a new event type, not recorded yet.`
          : `${type} v${current}: a new schema version, not recorded yet (${listed(known)} ${known.length === 1 ? 'stays' : 'stay'} as recorded).`,
      });
      record();
    } else {
      const found = schemaBreaks(versions[String(current)]!, schema);
      if (found.length > 0) {
        breaks.push(...found.map((each) => ({ type, schemaVersion: current, message: breakMessage(type, current, each) })));
      } else if (JSON.stringify(versions[String(current)]) !== JSON.stringify(schema)) {
        unrecorded.push({ type, schemaVersion: current, message: `${type} v${current}: changed compatibly, not recorded yet.` });
        record();
      }
    }
  }

  const registered = new Set(definitions.map((definition) => definition.type));
  for (const [type, versions] of Object.entries(recorded.events).filter(([each]) => !registered.has(each))) {
    const known = versionsOf(versions);
    breaks.push({
      type, schemaVersion: known[known.length - 1]!,
      message: `${type}: the snapshot records ${listed(known)}, but the registry has no definition of it; stored ${type} events would ` +
        `fail to decode. Register its definition again; only if no store holds ${type} events, delete it from the snapshot by hand.`,
    });
  }
  return { breaks, gaps, unrecorded, updated: { format: EVENT_SCHEMAS_FORMAT, events: events satisfies RecordedEventSchemas } };
};
