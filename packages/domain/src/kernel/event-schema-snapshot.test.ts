import * as t from 'io-ts';
import { describe, expect, it } from 'vitest';
import { defineEvent } from './event-registry.js';
import {
  describeEventSchema, EVENT_SCHEMAS_ABOUT, EVENT_SCHEMAS_FORMAT, EventSchemaSnapshotError, formatEventSchemaSnapshot,
  parseEventSchemaSnapshot, type EventSchemaSnapshot,
} from './event-schema-snapshot.js';

const snapshot: EventSchemaSnapshot = {
  format: EVENT_SCHEMAS_FORMAT,
  events: {
    Zed: { 1: { type: 'object', properties: {} } },
    Alpha: { 10: { type: 'string' }, 2: { type: 'number' }, 1: { anyOf: [{ const: 'a' }, { type: 'null' }] } },
  },
};

describe('the event schema snapshot file', () => {
  it('writes types in name order and versions in number order, and reads back what it wrote', () => {
    const text = formatEventSchemaSnapshot(snapshot);
    expect(text.endsWith('}\n')).toBe(true);
    const parsed = JSON.parse(text) as { about: string; events: Record<string, Record<string, unknown>> };
    expect(parsed.about).toBe(EVENT_SCHEMAS_ABOUT);
    expect(Object.keys(parsed.events)).toEqual(['Alpha', 'Zed']);
    expect(Object.keys(parsed.events.Alpha!)).toEqual(['1', '2', '10']);
    expect(parseEventSchemaSnapshot(text, 'x.json')).toEqual(snapshot);
    expect(formatEventSchemaSnapshot(parseEventSchemaSnapshot(text, 'x.json'))).toBe(text);
  });

  it('refuses what is not a snapshot, naming the file, the place and what to do', () => {
    const parse = (value: unknown) => () => parseEventSchemaSnapshot(typeof value === 'string' ? value : JSON.stringify(value), 'schemas.json');
    expect(parse('{')).toThrow(EventSchemaSnapshotError);
    expect(parse('{')).toThrow(/^schemas\.json: not valid JSON \(.*\); restore the file from version control, or correct it by hand$/);
    expect(parse({ format: 'clusterconf-ndjson/1', events: {} })).toThrow('schemas.json: not an event schema snapshot: expected an object with "format": "clusterconf-event-schemas/1"');
    const events = (value: unknown) => parse({ format: EVENT_SCHEMAS_FORMAT, events: value });
    expect(events([])).toThrow('"events" is not an object of event types');
    expect(events({ A: {} })).toThrow('events.A is not an object of schema versions');
    expect(events({ A: { v1: {} } })).toThrow('events.A has the version "v1", which is not a whole number >= 1');
    expect(events({ A: { 1: { type: 'object', propertes: {} } } })).toThrow(/events\.A\.1\.propertes is not a keyword the check knows \(type, title/);
    expect(events({ A: { 1: { type: 'object', properties: { a: { type: 'text' } } } } })).toThrow('events.A.1.properties.a.type is not one of string, number');
    expect(events({ A: { 1: { anyOf: [{}, { required: 'a' }] } } })).toThrow('events.A.1.anyOf[1].required is not a list of strings');
    expect(events({ A: { 1: { items: { 'x-refinements': [1] } } } })).toThrow('events.A.1.items.x-refinements is not a list of strings');
  });
});

describe('describeEventSchema', () => {
  it('is the codec\'s JSON Schema with its refinements named', () => {
    const Positive = t.brand(t.number, (n): n is t.Branded<number, { readonly Positive: symbol }> => n > 0, 'Positive');
    expect(describeEventSchema(defineEvent('Counted', t.type({ n: Positive })))).toEqual({
      type: 'object', required: ['n'], properties: { n: { type: 'number', title: 'Positive', 'x-refinements': ['Positive'] } },
    });
  });

  it('names the event type of a codec it cannot describe', () => {
    expect(() => describeEventSchema(defineEvent('Tagged', t.type({ tags: t.record(t.string, t.string) })))).toThrow(
      /^Tagged v1: toJsonSchema: tags: io-ts DictionaryType .*; describe the payload with those combinators/,
    );
  });
});
