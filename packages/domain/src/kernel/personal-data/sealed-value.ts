import type { SubjectId } from './subject-id.js';
import { isSubjectId } from './subject-id.js';

/** The algorithm tag of sealed values: AES-256 in Galois/Counter Mode, a 96-bit IV and a 128-bit tag. */
export const SEALED_ALGORITHM = 'A256GCM';

/**
 * A personal field as stored: encrypted with its subject's key. `ct` is, in base64, the field's own random 96-bit IV,
 * the ciphertext of the value's JSON text and the 16-byte authentication tag. The associated data
 * (stream id, event type, event id, field path and subject) is not stored: it is where the value sits, so a value moved to
 * another stream, type, event or field no longer authenticates.
 */
export interface SealedValue {
  readonly sealed: typeof SEALED_ALGORITHM;
  readonly subject: SubjectId;
  readonly ct: string;
}

/** Whether a stored value is a sealed personal field. */
export const isSealedValue = (value: unknown): value is SealedValue => {
  if (typeof value !== 'object' || value === null) return false;
  const candidate = value as Partial<Record<keyof SealedValue, unknown>>;
  return candidate.sealed === SEALED_ALGORITHM && isSubjectId(candidate.subject) && typeof candidate.ct === 'string';
};
