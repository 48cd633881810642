import * as E from 'fp-ts/lib/Either.js';
import { conferenceEventOf } from './event-of.js';
import type { ConferenceEvent } from './events.js';

/** Test helper: a typed event from plain data, throwing when the data does not decode. */
export const ev = <Type extends ConferenceEvent['type']>(type: Type, data: unknown): Extract<ConferenceEvent, { type: Type }> => {
  const decoded = conferenceEventOf(type, data);
  if (E.isLeft(decoded)) throw decoded.left;
  return decoded.right;
};

/** Test helper: the error predicate `thenError` takes, matching on code and the given fields. */
export const withCode =
  (code: string, fields: Record<string, unknown> = {}) =>
  (error: { readonly code: string }): boolean =>
    error.code === code && Object.entries(fields).every(([key, value]) => JSON.stringify((error as Record<string, unknown>)[key]) === JSON.stringify(value));
