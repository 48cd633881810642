import * as t from 'io-ts';
import { ForgottenCodec, isForgotten, type Forgotten } from './forgotten.js';
import { isSealedValue } from './sealed-value.js';

/** What `personal` takes besides the field's codec. */
export interface PersonalOptions<Payload> {
  /**
   * The data subject the field is about, from the whole event payload in its encoded (JSON) form, e.g.
   * `(data: { conferenceId: string; attendeeId: string }) => attendeeSubject(data.conferenceId, data.attendeeId)`. It
   * must read only fields that are not personal themselves, as those are what stay readable.
   */
  readonly subject: (payload: Payload) => string;
}

/**
 * A personal field's codec: its own values, or `Forgotten` once its subject is forgotten. An io-ts union of the two, so
 * `compileGuard`, `toJsonSchema` and error paths treat it as one; `personal` and `subjectOf` mark it for the registry,
 * which seals (encrypts) the field on the way into a store and opens it on the way out (see `personal`).
 */
export class PersonalType<C extends t.Mixed> extends t.UnionType<[C, typeof ForgottenCodec], t.TypeOf<C> | Forgotten, t.OutputOf<C> | Forgotten, unknown> {
  /** Marks the field for the registry's `personalFields`. */
  readonly personal = true as const;
  constructor(readonly base: C, readonly subjectOf: (payload: unknown) => string) {
    super(
      `Personal<${base.name}>`,
      (u): u is t.TypeOf<C> | Forgotten => base.is(u) || isForgotten(u),
      (u, c) => {
        if (isSealedValue(u)) {
          return t.failure(u, c, `sealed personal data of subject "${u.subject}", not its value: read the log through the personal-data layer ` +
            '(withPersonalData from @clusterconf/adapters/personal-data), which opens it with the subject\'s key');
        }
        if (isForgotten(u)) return t.success(u);
        // Under the member's index, as io-ts unions do, so error paths leave it out.
        return base.validate(u, t.appendContext(c, '0', base, u));
      },
      base.encode === t.identity ? t.identity : (a) => (isForgotten(a) ? a : base.encode(a)),
      [base, ForgottenCodec],
    );
  }
}

/**
 * Marks a payload field as personal data of a subject: the event registry encrypts it with that subject's key before
 * the event is stored (AES-256-GCM, a fresh IV per value, bound to its stream, type, event id and field path) and decrypts it on
 * reading; after `forget(subject)` it decodes to `Forgotten` instead. Wrap the whole field, also a nullable or
 * structured one (`personal(t.union([Email, t.null]), …)`): the value as a whole is sealed. For example:
 *
 * ```ts
 * t.type({ conferenceId: ConferenceId, attendeeId: AttendeeId,
 *   name: personal(NonEmptyString, { subject: (data: { conferenceId: string; attendeeId: string }) => attendeeSubject(data.conferenceId, data.attendeeId) }) })
 * ```
 */
export const personal = <C extends t.Mixed, Payload = never>(codec: C, options: PersonalOptions<Payload>): PersonalType<C> =>
  new PersonalType(codec, options.subject as (payload: unknown) => string);

/** Whether a codec is a `personal` field. */
export const isPersonalType = (codec: unknown): codec is PersonalType<t.Mixed> => codec instanceof PersonalType;
