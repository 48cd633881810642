import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import * as t from 'io-ts';
import { describe, expect, it } from 'vitest';
import { type AnyEventDefinition, defineEvent } from '../kernel/event-registry.js';
import { checkEventSchemas } from '../kernel/event-schema-check.js';
import { parseEventSchemaSnapshot } from '../kernel/event-schema-snapshot.js';
import { schemaBreaks } from '../kernel/schema-compatibility.js';
import { NonEmptyString } from './codecs.js';
import { conferenceEventSchemaSnapshotUrl } from './event-schemas.js';
import { AttendeeRegistered, AttendeeRegisteredData, AwardGranted, conferenceEventDefinitions, conferenceEvents } from './events.js';

const path = fileURLToPath(conferenceEventSchemaSnapshotUrl);
const recorded = parseEventSchemaSnapshot(readFileSync(path, 'utf8'), path);

/** The conference definitions with one replaced, as an edit of events.ts would leave them. */
const withDefinition = (replacement: AnyEventDefinition): AnyEventDefinition[] =>
  conferenceEventDefinitions.map((definition) => (definition.type === replacement.type ? replacement : definition));

describe('the conference event schema snapshot', () => {
  it('records every version of every conference event, and the codecs read all of them', () => {
    const check = checkEventSchemas(recorded, conferenceEvents.definitions);
    const findings = [...check.breaks, ...check.gaps, ...check.unrecorded].map((finding) => finding.message);
    expect(findings, `${path} is out of step with the codecs in events.ts. An incompatible change needs a new schemaVersion and ` +
      'an upcaster; then, or after a compatible change, run `npx clusterconf schema check --update` at the repository root and ' +
      'commit the snapshot').toEqual([]);
    expect(Object.keys(recorded.events).sort()).toEqual([...conferenceEvents.types].sort());
  });

  it('keeps AwardGranted v1 as it was: without the ballot\'s conferenceId, which v2 requires', () => {
    const versions = recorded.events.AwardGranted!;
    expect(Object.keys(versions)).toEqual(['1', '2']);
    expect(AwardGranted.schemaVersion).toBe(2);
    // Read with v2 directly, v1 grants would be refused: this is why v2 came with an upcaster.
    expect(schemaBreaks(versions['1']!, versions['2']!).map((found) => found.problem)).toEqual([
      'field `decidedBy.conferenceId` is new and required; stored events lack it (where `decidedBy.kind` is "vote")',
    ]);
  });

  it('fails an incompatible change to a conference codec, naming the event, the field and the fixes', () => {
    const { country: _country, ...rest } = AttendeeRegisteredData.props;
    const check = checkEventSchemas(recorded, withDefinition(defineEvent('AttendeeRegistered', t.type(rest, 'AttendeeRegistered'))));
    expect(check.breaks.map((found) => found.message)).toEqual([
      'AttendeeRegistered v1: field `country` was removed; stored events carry it. Add schemaVersion 2 with an upcaster from v1 that ' +
        'drops or moves `country`, or keep the field optional.',
    ]);
  });

  it('passes a compatible change to a conference codec, for --update to record', () => {
    const widened = defineEvent('AttendeeRegistered', t.intersection([AttendeeRegisteredData, t.partial({ badgeName: NonEmptyString })]));
    const check = checkEventSchemas(recorded, withDefinition(widened));
    expect(check.breaks).toEqual([]);
    expect(check.unrecorded.map((found) => found.message)).toEqual(['AttendeeRegistered v1: changed compatibly, not recorded yet.']);
    expect(AttendeeRegistered.schemaVersion).toBe(1);
  });
});
