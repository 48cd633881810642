import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { SEALED_ALGORITHM, type SealedValue } from './sealed-value.js';
import type { SubjectId } from './subject-id.js';

/** A subject's key: 32 random bytes for AES-256-GCM. */
export type SubjectKey = Uint8Array;

/** The length of subject keys, in bytes. */
export const SUBJECT_KEY_BYTES = 32;
const IV_BYTES = 12;
const TAG_BYTES = 16;

/** A fresh random key. */
export const newSubjectKey = (): SubjectKey => randomBytes(SUBJECT_KEY_BYTES);

/** A concrete field path: member names and array indices, e.g. `["openers", 0, "name"]`. */
export type FieldLocation = readonly (string | number)[];

/** Where a sealed value sits: its event (stream, type, id) and its field. */
export interface SealedPlace {
  readonly streamId: string;
  readonly eventType: string;
  /** The event's id; compared in lower case, as stores compare UUIDs. */
  readonly eventId: string;
  readonly location: FieldLocation;
}

/**
 * What a sealed value is bound to: its stream, its event type, its event's id, its field path and its subject, as JSON
 * so the parts stay apart whatever they contain. Decryption fails unless all are the same as when it was sealed, so a
 * ciphertext copied to another stream, type, event or field does not open there.
 */
export const associatedData = (place: SealedPlace, subject: SubjectId): Buffer =>
  Buffer.from(JSON.stringify([place.streamId, place.eventType, place.eventId.toLowerCase(), place.location, subject]), 'utf8');

/** Encrypts a JSON value with a fresh 96-bit IV. */
export const sealValue = (key: SubjectKey, subject: SubjectId, value: unknown, aad: Buffer): SealedValue => {
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv('aes-256-gcm', key, iv, { authTagLength: TAG_BYTES });
  cipher.setAAD(aad);
  const body = cipher.update(JSON.stringify(value), 'utf8');
  const final = cipher.final();
  const ct = Buffer.concat([iv, body, final, cipher.getAuthTag()]);
  return { sealed: SEALED_ALGORITHM, subject, ct: ct.toString('base64') };
};

/** Decrypts a sealed value; throws when it does not authenticate (altered, or bound to another place or key). */
export const openValue = (key: SubjectKey, sealed: SealedValue, aad: Buffer): unknown => {
  const ct = Buffer.from(sealed.ct, 'base64');
  if (ct.length < IV_BYTES + TAG_BYTES) throw new Error(`its ciphertext has ${ct.length} bytes, fewer than an IV and a tag`);
  const decipher = createDecipheriv('aes-256-gcm', key, ct.subarray(0, IV_BYTES), { authTagLength: TAG_BYTES });
  decipher.setAAD(aad);
  decipher.setAuthTag(ct.subarray(ct.length - TAG_BYTES));
  const body = decipher.update(ct.subarray(IV_BYTES, ct.length - TAG_BYTES));
  const rest = decipher.final();
  return JSON.parse((rest.length === 0 ? body : Buffer.concat([body, rest])).toString('utf8'));
};
