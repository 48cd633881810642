import * as t from 'io-ts';
import type { DomainEvent } from '../event.js';
import { defineEvent } from '../event-registry.js';
import { isRfc3339Instant } from '../rfc3339.js';
import { SubjectIdCodec, type SubjectId } from './subject-id.js';

/** Payload of `PersonalDataForgotten`: whose personal data was erased, and when. */
export const PersonalDataForgottenData = t.type({
  subject: SubjectIdCodec,
  forgottenAt: new t.RefinementType<t.StringC, string, string, unknown>(
    'Rfc3339Instant',
    (u): u is string => typeof u === 'string' && isRfc3339Instant(u),
    (u, c) => (typeof u === 'string' && isRfc3339Instant(u) ? t.success(u) : t.failure(u, c)),
    t.identity,
    t.string,
    isRfc3339Instant,
  ),
}, 'PersonalDataForgotten');

/**
 * Event definition of `PersonalDataForgotten` (stream `personal-data-<subject>`), appended by `forgetSubject` after the
 * subject's key is deleted. Projections that copied a subject's personal data handle it to remove their copies; add it
 * to the registry of every domain with `personal` fields.
 */
export const PersonalDataForgotten = defineEvent('PersonalDataForgotten', PersonalDataForgottenData);

export type PersonalDataForgotten = DomainEvent<'PersonalDataForgotten', t.TypeOf<typeof PersonalDataForgottenData>>;

/** The stream of a subject's forget: at most one `PersonalDataForgotten`. */
export const personalDataStream = (subject: SubjectId): string => `personal-data-${subject}`;
