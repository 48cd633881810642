import * as E from 'fp-ts/lib/Either.js';
import * as t from 'io-ts';
import { describe, expect, it } from 'vitest';
import { compileGuard } from '../compile-guard.js';
import { createEventRegistry, defineEvent } from '../event-registry.js';
import { toJsonSchema } from '../json-schema.js';
import { associatedData, newSubjectKey, openValue, sealValue } from './cipher.js';
import { forgottenValue, isForgotten, revealedOr } from './forgotten.js';
import { planKeyImport, parseKeyRecord, toKeyRecord } from './key-records.js';
import type { SubjectKeyState } from './key-store.js';
import { personal } from './personal.js';
import { personalFieldsOf } from './personal-fields.js';
import { InvalidSubjectIdError, KeyImportConflictError, PersonalSubjectError } from './personal-data-errors.js';
import { openValues, sealedValues, sealValues, unsealedValues } from './sealed-fields.js';
import { isSealedValue } from './sealed-value.js';
import { subjectId } from './subject-id.js';

const bySubject = (data: { readonly memberId: string }) => `member-${data.memberId}`;
const Registered = t.type({
  memberId: t.string,
  name: personal(t.string, { subject: bySubject }),
  contacts: t.array(t.type({ kind: t.string, address: personal(t.string, { subject: bySubject }) })),
  country: t.string,
}, 'Registered');
const registry = createEventRegistry([defineEvent('Registered', Registered), defineEvent('Plain', t.type({ n: t.number }))]);
const ana = subjectId('member-ana');
const payload = { memberId: 'ana', name: 'Ana', contacts: [{ kind: 'email', address: 'ana@example.org' }, { kind: 'phone', address: '+49 30 1' }], country: 'DE' };

describe('personal', () => {
  it('decodes the value or Forgotten, and refuses a sealed value, naming what reads it', () => {
    const field = personal(t.string, { subject: bySubject });
    expect(field.decode('Ana')).toEqual(E.right('Ana'));
    expect(field.decode(forgottenValue(ana))).toEqual(E.right({ forgotten: true, subject: 'member-ana' }));
    const sealed = sealValue(newSubjectKey(), ana, 'Ana', associatedData({ streamId: 's', eventType: 'T', eventId: 'e', location: ['name'] }, ana));
    const decoded = registry.decodeData('Registered', 1, { ...payload, name: sealed }, { streamId: 'member-ana', streamRevision: 0n });
    expect(E.isLeft(decoded) && decoded.left.message).toMatch(/name: sealed personal data of subject "member-ana".*withPersonalData/);
    expect(E.isLeft(field.decode(7))).toBe(true);
  });

  it('keeps the guard, the encode identity and the JSON Schema of the codec it wraps', () => {
    const guard = compileGuard(Registered);
    expect(guard(payload)).toBe(true);
    expect(guard({ ...payload, name: forgottenValue(ana) })).toBe(true);
    expect(guard({ ...payload, name: 3 })).toBe(false);
    expect(registry.acceptsAsStored('Registered', 1, payload)).toBe(true);
    expect(Registered.encode(payload)).toBe(payload);
    const schema = toJsonSchema(Registered) as { properties: { name: { anyOf: unknown[] } } };
    expect(schema.properties.name.anyOf).toHaveLength(2);
  });

  it('is found by the registry, at every depth, and nowhere in types without it', () => {
    expect(registry.personalFields('Registered').map((field) => field.path)).toEqual([['name'], ['contacts', { each: true }, 'address']]);
    expect(registry.personalFields('Plain')).toEqual([]);
    expect(registry.personalFields('Unknown')).toEqual([]);
  });

  it('is refused inside a union of other types and as a whole payload, saying what to mark instead', () => {
    const inUnion = t.type({ who: t.union([t.type({ name: personal(t.string, { subject: bySubject }) }), t.null]) });
    expect(() => personalFieldsOf('X', inUnion)).toThrow(/who.name is inside the union .*mark the whole union personal/);
    expect(() => personalFieldsOf('X', personal(t.string, { subject: bySubject }))).toThrow(/whole payload is marked personal/);
  });
});

describe('sealing and opening fields', () => {
  const key = newSubjectKey();
  const keyOf = () => key;
  const active: SubjectKeyState = { state: 'active', key, createdAt: '2020-11-24T09:00:00Z' };
  const eventId = '0191f0a4-0000-7000-8000-000000000001';
  const at = (streamId: string, eventType = 'Registered', id = eventId) => ({ streamId, eventType, eventId: id });
  const seal = (streamId = 'member-ana') =>
    sealValues(at(streamId), payload, unsealedValues(streamId, 'Registered', payload, registry.personalFields('Registered')), keyOf);

  it('seals every personal value with its own IV, leaving the other fields as they were', () => {
    const sealed = seal() as typeof payload & { name: unknown; contacts: { address: unknown }[] };
    expect(isSealedValue(sealed.name)).toBe(true);
    expect(sealed.contacts.map((c) => isSealedValue(c.address))).toEqual([true, true]);
    expect(sealed.country).toBe('DE');
    expect(JSON.stringify(sealed)).not.toMatch(/Ana|example\.org|\+49/);
    const ivs = sealedValues(sealed).map((found) => Buffer.from(found.sealed.ct, 'base64').subarray(0, 12).toString('hex'));
    expect(new Set(ivs).size).toBe(3);
    expect(seal()).not.toEqual(seal());
  });

  it('opens what it sealed, and yields Forgotten for a subject without a key', () => {
    const sealed = seal();
    expect(openValues(at('member-ana'), sealed, sealedValues(sealed), () => active)).toEqual({ data: payload });
    const forgotten = openValues(at('member-ana'), sealed, sealedValues(sealed), () => ({ state: 'forgotten', forgottenAt: '2021-01-01T00:00:00Z' }));
    expect(forgotten).toEqual({ data: { ...payload, name: forgottenValue(ana), contacts: payload.contacts.map((c) => ({ ...c, address: forgottenValue(ana) })) } });
    expect(openValues(at('member-ana'), sealed, sealedValues(sealed), () => undefined)).toEqual(forgotten);
    expect(revealedOr(forgottenValue(ana), '(forgotten)')).toBe('(forgotten)');
    expect(isForgotten('Ana')).toBe(false);
  });

  it('does not open a value moved to another stream, type, event or field, or altered', () => {
    const sealed = seal() as Record<string, unknown> & { contacts: Record<string, unknown>[] };
    const failureAt = (streamId: string, type: string, data: unknown, id = eventId) => {
      const opened = openValues(at(streamId, type, id), data, sealedValues(data), () => active);
      return 'failure' in opened ? opened.failure.location : undefined;
    };
    expect(failureAt('member-bo', 'Registered', sealed)).toEqual(['name']);
    expect(failureAt('member-ana', 'Renamed', sealed)).toEqual(['name']);
    const swapped = { ...sealed, contacts: [sealed.contacts[1], sealed.contacts[0]] };
    expect(failureAt('member-ana', 'Registered', swapped)).toEqual(['contacts', 0, 'address']);
    const name = sealed['name'] as { ct: string };
    const flipped = Buffer.from(name.ct, 'base64');
    flipped[13]! ^= 1;
    expect(failureAt('member-ana', 'Registered', { ...sealed, name: { ...name, ct: flipped.toString('base64') } })).toEqual(['name']);
    expect(failureAt('member-ana', 'Registered', sealed, '0191f0a4-0000-7000-8000-000000000002')).toEqual(['name']);
    expect(failureAt('member-ana', 'Registered', sealed, eventId.toUpperCase())).toBeUndefined();
    expect(failureAt('member-ana', 'Registered', sealed)).toBeUndefined();
  });

  it('opens under the right key only', () => {
    const aad = associatedData({ streamId: 's', eventType: 'T', eventId: 'e', location: ['name'] }, ana);
    const sealed = sealValue(key, ana, { nested: ['value'] }, aad);
    expect(openValue(key, sealed, aad)).toEqual({ nested: ['value'] });
    expect(() => openValue(newSubjectKey(), sealed, aad)).toThrow();
  });

  it('leaves sealed and forgotten values as they are, and refuses a payload whose subject cannot be told', () => {
    const sealed = seal();
    expect(unsealedValues('member-ana', 'Registered', sealed, registry.personalFields('Registered'))).toEqual([]);
    expect(unsealedValues('member-ana', 'Registered', { ...payload, name: forgottenValue(ana), contacts: [] }, registry.personalFields('Registered'))).toEqual([]);
    expect(() => unsealedValues('s', 'Registered', { ...payload, memberId: 'has space' }, registry.personalFields('Registered')))
      .toThrow(PersonalSubjectError);
  });
});

describe('subject ids and key records', () => {
  it('refuses empty, long and spaced subject ids', () => {
    expect(() => subjectId('')).toThrow(InvalidSubjectIdError);
    expect(() => subjectId('a b')).toThrow(/U\+0020 at index 1/);
    expect(() => subjectId('x'.repeat(201))).toThrow(/limit is 200/);
    expect(subjectId('attendee-ecc2020.ana')).toBe('attendee-ecc2020.ana');
  });

  it('round-trips records and refuses malformed ones with the place and member', () => {
    const state: SubjectKeyState = { state: 'active', key: newSubjectKey(), createdAt: '2020-11-24T09:00:00Z' };
    const record = toKeyRecord(ana, state);
    expect(parseKeyRecord(JSON.parse(JSON.stringify(record)), 'keys.ndjson:1')).toEqual(record);
    expect(() => parseKeyRecord({ subject: 'member-ana', key: 'c2hvcnQ=', createdAt: '2020-11-24T09:00:00Z' }, 'keys.ndjson:2')).toThrow(/keys\.ndjson:2 .*32 bytes/);
    expect(() => parseKeyRecord({ subject: 'member-ana', forgottenAt: 'yesterday' }, 'keys.ndjson:3')).toThrow(/keys\.ndjson:3/);
  });

  it('plans imports so that a forget wins both ways and a second key for a subject is refused', () => {
    const key = newSubjectKey();
    const bo = subjectId('member-bo');
    const cy = subjectId('member-cy');
    const dee = subjectId('member-dee');
    const existing = new Map<typeof ana, SubjectKeyState>([
      [ana, { state: 'active', key, createdAt: '2020-11-24T09:00:00Z' }],
      [bo, { state: 'forgotten', forgottenAt: '2021-01-01T00:00:00Z' }],
      [cy, { state: 'active', key: newSubjectKey(), createdAt: '2020-11-24T09:00:00Z' }],
    ]);
    const plan = planKeyImport(existing, [
      toKeyRecord(ana, { state: 'active', key, createdAt: '2020-11-24T09:00:00Z' }),
      toKeyRecord(bo, { state: 'active', key: newSubjectKey(), createdAt: '2020-11-24T09:00:00Z' }),
      { subject: cy, forgottenAt: '2021-02-01T00:00:00Z' },
      toKeyRecord(dee, { state: 'active', key: newSubjectKey(), createdAt: '2020-11-24T09:00:00Z' }),
    ]);
    expect(plan.summary).toEqual({ added: 1, present: 1, forgotten: 1, keptForgotten: 1 });
    expect(plan.inserts.map((insert) => insert.subject)).toEqual([dee]);
    expect(plan.forgets).toEqual([{ subject: cy, forgottenAt: '2021-02-01T00:00:00Z' }]);
    expect(() => planKeyImport(existing, [toKeyRecord(ana, { state: 'active', key: newSubjectKey(), createdAt: '2020-11-24T09:00:00Z' })]))
      .toThrow(KeyImportConflictError);
  });
});
