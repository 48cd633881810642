import * as t from 'io-ts';
import type { SubjectId } from './subject-id.js';
import { SubjectIdCodec } from './subject-id.js';

/**
 * What a personal field decodes to once its subject was forgotten (its key deleted), or when the key store has no key
 * for it (a history moved without its keys): the value is gone for good, only whose it was remains. Readers show it
 * as forgotten; counts over the other fields stay as they were.
 */
export interface Forgotten {
  readonly forgotten: true;
  readonly subject: SubjectId;
}

/** The codec of `Forgotten`, as it appears in decoded payloads and in read-model documents. */
export const ForgottenCodec = t.type({ forgotten: t.literal(true), subject: SubjectIdCodec }, 'Forgotten');

/** The forgotten value of a field of `subject`. */
export const forgottenValue = (subject: SubjectId): Forgotten => ({ forgotten: true, subject });

/** Whether a (decoded) personal field's value is `Forgotten` rather than the value itself. */
export const isForgotten = (value: unknown): value is Forgotten =>
  typeof value === 'object' && value !== null && (value as { forgotten?: unknown }).forgotten === true && ForgottenCodec.is(value);

/** The value of a personal field, or `fallback` when it was forgotten: for display, e.g. `revealedOr(name, '(forgotten)')`. */
export const revealedOr = <A, B>(value: A | Forgotten, fallback: B): A | B => (isForgotten(value) ? fallback : value);
