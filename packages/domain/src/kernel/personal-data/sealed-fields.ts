/**
 * The pure core of sealing and opening an event's personal fields: where they are, what replaces them. The keys come
 * in as a lookup, so nothing here does I/O; `createShredder` fetches them.
 */
import { associatedData, openValue, sealValue, type FieldLocation, type SubjectKey } from './cipher.js';
import { forgottenValue, isForgotten } from './forgotten.js';
import type { SubjectKeyState } from './key-store.js';
import { describePath, type PersonalField, type PathStep } from './personal-fields.js';
import { PersonalSubjectError } from './personal-data-errors.js';
import { isSealedValue, type SealedValue } from './sealed-value.js';
import { subjectIdProblem, type SubjectId } from './subject-id.js';

/** A concrete location as messages show it: `name`, `openers.0.name`. */
export const describeLocation = (location: FieldLocation): string => location.join('.');

/** Every concrete location and value a field path reaches in `data`; absent members (optional fields) reach none. */
const locate = (data: unknown, path: readonly PathStep[], at: (string | number)[] = [], out: { location: FieldLocation; value: unknown }[] = []) => {
  if (path.length === 0) {
    if (data !== undefined) out.push({ location: at, value: data });
    return out;
  }
  const [step, ...rest] = path;
  if (typeof step === 'string') {
    if (typeof data === 'object' && data !== null && !Array.isArray(data) && Object.hasOwn(data, step)) {
      locate((data as Record<string, unknown>)[step], rest, [...at, step], out);
    }
  } else if (Array.isArray(data)) {
    data.forEach((element, index) => locate(element, rest, [...at, index], out));
  }
  return out;
};

/** `data` with the value at `location` replaced, copying only the objects and arrays on the way. */
export const replaceAt = (data: unknown, location: FieldLocation, value: unknown): unknown => {
  if (location.length === 0) return value;
  const [step, ...rest] = location;
  if (Array.isArray(data)) {
    const copy = data.slice();
    copy[step as number] = replaceAt(copy[step as number], rest, value);
    return copy;
  }
  const object = data as Record<string, unknown>;
  return { ...object, [step as string]: replaceAt(object[step as string], rest, value) };
};

/** A personal value about to be sealed. */
export interface Unsealed {
  readonly location: FieldLocation;
  readonly value: unknown;
  readonly subject: SubjectId;
}

/**
 * The personal values of an encoded payload that need sealing: not those already sealed (an event copied from
 * another store keeps its ciphertext) nor those already `Forgotten`. Throws `PersonalSubjectError` when a field's
 * subject cannot be told.
 */
export const unsealedValues = (streamId: string, eventType: string, data: unknown, fields: readonly PersonalField[]): Unsealed[] => {
  const found: Unsealed[] = [];
  for (const field of fields) {
    for (const { location, value } of locate(data, field.path)) {
      if (isSealedValue(value) || isForgotten(value)) continue;
      let subject: unknown;
      try {
        subject = field.subjectOf(data);
      } catch (error) {
        throw new PersonalSubjectError(streamId, eventType, describePath(field.path), `could not be read: ${(error as Error).message}`, { cause: error });
      }
      const problem = subjectIdProblem(subject);
      if (problem !== undefined) throw new PersonalSubjectError(streamId, eventType, describePath(field.path), `is not a subject id: ${problem}`);
      found.push({ location, value, subject: subject as SubjectId });
    }
  }
  return found;
};

/** The event a payload belongs to, as the associated data of its sealed values names it. */
export interface EventPlace {
  readonly streamId: string;
  readonly eventType: string;
  readonly eventId: string;
}

/** `data` with each unsealed value replaced by its sealed form, under its subject's key. */
export const sealValues = (event: EventPlace, data: unknown, values: readonly Unsealed[], keyOf: (subject: SubjectId) => SubjectKey): unknown => {
  let sealed = data;
  for (const { location, value, subject } of values) {
    sealed = replaceAt(sealed, location, sealValue(keyOf(subject), subject, value, associatedData({ ...event, location }, subject)));
  }
  return sealed;
};

/** A sealed value as found in a stored payload. */
export interface Found {
  readonly location: FieldLocation;
  readonly sealed: SealedValue;
}

/**
 * Every sealed value in a stored payload, wherever it sits: the stored form says where it was sealed, also for
 * events stored at an older schema version whose fields have moved since.
 */
export const sealedValues = (data: unknown, at: (string | number)[] = [], out: Found[] = []): Found[] => {
  if (typeof data !== 'object' || data === null) return out;
  if (Array.isArray(data)) {
    for (let index = 0; index < data.length; index++) sealedValues(data[index], [...at, index], out);
    return out;
  }
  if (isSealedValue(data)) {
    out.push({ location: at, sealed: data });
    return out;
  }
  for (const key in data) {
    const value = (data as Record<string, unknown>)[key];
    if (typeof value === 'object' && value !== null) sealedValues(value, [...at, key], out);
  }
  return out;
};

/** A sealed value that did not open: where it is, whose it is, and why. */
export interface OpenFailure {
  readonly location: FieldLocation;
  readonly subject: SubjectId;
  readonly cause: unknown;
}

/**
 * `data` with each sealed value opened with its subject's key, or replaced by `Forgotten` when the subject has no
 * key (forgotten, or never known to this key store); the first value that does not authenticate is a failure.
 */
export const openValues = (
  event: EventPlace,
  data: unknown,
  found: readonly Found[],
  keyOf: (subject: SubjectId) => SubjectKeyState | undefined,
): { readonly data: unknown } | { readonly failure: OpenFailure } => {
  let opened = data;
  for (const { location, sealed } of found) {
    const entry = keyOf(sealed.subject);
    let value: unknown;
    if (entry?.state === 'active') {
      try {
        value = openValue(entry.key, sealed, associatedData({ ...event, location }, sealed.subject));
      } catch (cause) {
        return { failure: { location, subject: sealed.subject, cause } };
      }
    } else {
      value = forgottenValue(sealed.subject);
    }
    opened = replaceAt(opened, location, value);
  }
  return { data: opened };
};
