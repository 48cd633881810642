import * as t from 'io-ts';
import { describe, expect, it } from 'vitest';
import { defineEvent } from './event-registry.js';
import { checkEventSchemas } from './event-schema-check.js';
import { describeEventSchema, emptyEventSchemaSnapshot, EVENT_SCHEMAS_FORMAT, type EventSchemaSnapshot } from './event-schema-snapshot.js';

const Lent = t.type({ bookId: t.string, memberId: t.string }, 'BookLent');
const BookLent = defineEvent('BookLent', Lent);
const BookReturned = defineEvent('BookReturned', t.type({ bookId: t.string }));

/** The snapshot `definitions` would be recorded as, from nothing. */
const recordedFrom = (...definitions: Parameters<typeof checkEventSchemas>[1]): EventSchemaSnapshot =>
  checkEventSchemas(emptyEventSchemaSnapshot, definitions).updated;

const messages = (findings: readonly { message: string }[]) => findings.map((finding) => finding.message);

describe('checkEventSchemas', () => {
  it('records every type of a first snapshot, and then finds nothing to do', () => {
    const first = checkEventSchemas(emptyEventSchemaSnapshot, [BookLent, BookReturned]);
    expect(first.breaks).toEqual([]);
    expect(messages(first.unrecorded)).toEqual(['BookLent v1: a new event type, not recorded yet.', 'BookReturned v1: a new event type, not recorded yet.']);
    expect(first.updated).toEqual({ format: EVENT_SCHEMAS_FORMAT, events: { BookLent: { 1: describeEventSchema(BookLent) }, BookReturned: { 1: describeEventSchema(BookReturned) } } });
    const again = checkEventSchemas(first.updated, [BookLent, BookReturned]);
    expect(again).toEqual({ breaks: [], gaps: [], unrecorded: [], updated: first.updated });
  });

  it('passes a compatible change and records it on update', () => {
    const recorded = recordedFrom(BookLent);
    const widened = defineEvent('BookLent', t.intersection([Lent, t.partial({ dueBack: t.string })]));
    const check = checkEventSchemas(recorded, [widened]);
    expect(check.breaks).toEqual([]);
    expect(messages(check.unrecorded)).toEqual(['BookLent v1: changed compatibly, not recorded yet.']);
    expect(check.updated.events.BookLent).toEqual({ 1: describeEventSchema(widened) });
  });

  it('fails an incompatible change without a new version, says which field broke and both fixes, and keeps the recorded shape', () => {
    const recorded = recordedFrom(BookLent);
    const check = checkEventSchemas(recorded, [defineEvent('BookLent', t.type({ bookId: t.string }))]);
    expect(messages(check.breaks)).toEqual([
      'BookLent v1: field `memberId` was removed; stored events carry it. Add schemaVersion 2 with an upcaster from v1 that drops or moves ' +
        '`memberId`, or keep the field optional.',
    ]);
    expect(check.breaks[0]).toMatchObject({ type: 'BookLent', schemaVersion: 1 });
    expect(check.updated).toEqual(recorded);
  });

  it('passes the same change at a new schema version with an upcaster, recording the new version beside the old', () => {
    const recorded = recordedFrom(BookLent);
    const v2 = defineEvent('BookLent', t.type({ bookId: t.string }), { schemaVersion: 2, upcasters: [{ fromVersion: 1, upcast: (data) => data }] });
    const check = checkEventSchemas(recorded, [v2]);
    expect(check.breaks).toEqual([]);
    expect(messages(check.unrecorded)).toEqual(['BookLent v2: a new schema version, not recorded yet (v1 stays as recorded).']);
    expect(check.updated.events.BookLent).toEqual({ 1: recorded.events.BookLent![1], 2: describeEventSchema(v2) });
    // From then on v2 is what the codec is held to; v1 is kept as it was.
    expect(checkEventSchemas(check.updated, [v2])).toMatchObject({ breaks: [], gaps: [], unrecorded: [] });
  });

  it('reports versions no one recorded, which only a hand edit can fill', () => {
    const v3 = defineEvent('BookLent', Lent, { schemaVersion: 3, upcasters: [1, 2].map((fromVersion) => ({ fromVersion, upcast: (data: unknown) => data })) });
    const check = checkEventSchemas(recordedFrom(BookLent), [v3]);
    expect(check.breaks).toEqual([]);
    expect(messages(check.gaps)).toEqual([
      'BookLent v2: the snapshot has no shape for it, and the codec describes v3 only; stored events may carry v2. Add it to the snapshot by ' +
        'hand from the codec that wrote it (version control), as toJsonSchema(codec, { refinements: true }) prints it.',
    ]);
    expect(Object.keys(check.updated.events.BookLent!)).toEqual(['1', '3']);
  });

  it('fails a schema version lowered below a recorded one, and a recorded type the registry lost', () => {
    const v2 = defineEvent('BookLent', Lent, { schemaVersion: 2, upcasters: [{ fromVersion: 1, upcast: (data) => data }] });
    const recorded = checkEventSchemas(recordedFrom(BookLent, BookReturned), [v2, BookReturned]).updated;
    expect(messages(checkEventSchemas(recorded, [BookLent]).breaks)).toEqual([
      'BookLent v2: the snapshot records v1, v2, but the code is at schemaVersion 1; stored events at v2 would read as newer than the code ' +
        'knows. Restore schemaVersion 2 and its upcasters.',
      'BookReturned: the snapshot records v1, but the registry has no definition of it; stored BookReturned events would fail to decode. ' +
        'Register its definition again; only if no store holds BookReturned events, delete it from the snapshot by hand.',
    ]);
  });
});
