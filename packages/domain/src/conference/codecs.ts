import * as t from 'io-ts';
import { isCountryCode } from './countries.js';

/** Ids are slugs so that they are safe in stream ids and never contain the `.` that separates vote-stream parts. */
export const SLUG = /^[a-z0-9][a-z0-9-]{0,63}$/;

/** A character no slug holds. */
const NOT_SLUG_CHARACTER = /[^a-z0-9-]/;

/**
 * Whether `s` matches `SLUG`. Every replayed event checks several ids, so this is a length check, a first-character
 * check and one search for a foreign character, which the regular expression engine runs in native code: about a
 * third faster than a `charCodeAt` loop, and faster than `SLUG` itself.
 */
export const isSlug = (s: string): boolean =>
  s.length > 0 && s.length <= 64 && s.charCodeAt(0) !== 45 && !NOT_SLUG_CHARACTER.test(s);

const slug = <Name extends string>(name: Name) =>
  t.brand(t.string, (s): s is t.Branded<string, { readonly [K in Name]: symbol }> => isSlug(s), name);

/** A conference's id, a slug such as `ecc2020`. */
export const ConferenceId = slug('ConferenceId');
export type ConferenceId = t.TypeOf<typeof ConferenceId>;
/** An attendee's id, a slug, unique within a conference. */
export const AttendeeId = slug('AttendeeId');
export type AttendeeId = t.TypeOf<typeof AttendeeId>;
/** A session's id, a slug; a ballot session's id is also its ballot's id. */
export const SessionId = slug('SessionId');
export type SessionId = t.TypeOf<typeof SessionId>;
/** A shortlisted candidate's id, a slug. */
export const CandidateId = slug('CandidateId');
export type CandidateId = t.TypeOf<typeof CandidateId>;
/** An award's id, a slug; one award stream holds every edition of that award. */
export const AwardId = slug('AwardId');
export type AwardId = t.TypeOf<typeof AwardId>;
/** An alliance's id, a slug. */
export const AllianceId = slug('AllianceId');
export type AllianceId = t.TypeOf<typeof AllianceId>;

/** An officially assigned ISO 3166-1 alpha-2 code in upper case. */
export const CountryCode = t.brand(
  t.string,
  (s): s is t.Branded<string, { readonly CountryCode: symbol }> => isCountryCode(s),
  'CountryCode',
);
export type CountryCode = t.TypeOf<typeof CountryCode>;

const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

/** Whether a string is a real calendar date written YYYY-MM-DD. */
export const isIsoDate = (s: string): boolean => {
  const match = ISO_DATE.exec(s);
  if (!match) return false;
  const [year, month, day] = [Number(match[1]), Number(match[2]), Number(match[3])];
  const date = new Date(Date.UTC(year, month - 1, day));
  return date.getUTCFullYear() === year && date.getUTCMonth() === month - 1 && date.getUTCDate() === day;
};

/** A calendar date, YYYY-MM-DD; a conference day or a session's day. */
export const IsoDate = t.brand(t.string, (s): s is t.Branded<string, { readonly IsoDate: symbol }> => isIsoDate(s), 'IsoDate');
export type IsoDate = t.TypeOf<typeof IsoDate>;

/** The stakeholder groups the conference facts name. */
export const STAKEHOLDER_GROUPS = [
  'cluster-policy',
  'cluster-management',
  'business',
  'research',
  'civil-society',
  'education-and-training',
  'other-interest-representatives',
] as const;

/** One of `STAKEHOLDER_GROUPS`; a literal union rather than a brand, so switches over it are exhaustive. */
export const StakeholderGroup = t.keyof(
  Object.fromEntries(STAKEHOLDER_GROUPS.map((group) => [group, null])) as { [K in (typeof STAKEHOLDER_GROUPS)[number]]: null },
  'StakeholderGroup',
);
export type StakeholderGroup = t.TypeOf<typeof StakeholderGroup>;

// Unbranded refinements: names and counts stay plain strings and numbers for consumers, but decoding checks them.
// An io-ts RefinementType, so that compileGuard sees the base codec and the predicate.
const refine = <A, O>(base: t.Type<A, O, unknown>, ok: (a: A) => boolean, name: string): t.Type<A, O, unknown> =>
  new t.RefinementType<t.Type<A, O, unknown>, A, O, unknown>(
    name,
    (u): u is A => base.is(u) && ok(u),
    (u, c) => {
      const decoded = base.validate(u, c);
      if (decoded._tag === 'Left') return decoded;
      return ok(decoded.right) ? t.success(decoded.right) : t.failure(u, c);
    },
    base.encode,
    base,
    ok,
  );

/** Whether a UTF-16 code unit is white space or a line terminator, the characters `String.prototype.trim` removes. */
const isBlank = (c: number): boolean =>
  (c >= 9 && c <= 13) || c === 32 || c === 160 || c === 0x1680 || (c >= 0x2000 && c <= 0x200a) ||
  c === 0x2028 || c === 0x2029 || c === 0x202f || c === 0x205f || c === 0x3000 || c === 0xfeff;

/** Whether `s.trim()` is non-empty, without building the trimmed copy: usually decided by the first character. */
export const hasNonBlank = (s: string): boolean => {
  for (let i = 0; i < s.length; i++) if (!isBlank(s.charCodeAt(i))) return true;
  return false;
};

/** A string with at least one non-blank character. */
export const NonEmptyString = refine(t.string, hasNonBlank, 'NonEmptyString');
/** An integer ≥ 1. */
export const PositiveInteger = refine(t.number, (n) => Number.isSafeInteger(n) && n >= 1, 'PositiveInteger');
/** An integer ≥ 0. */
export const NonNegativeInteger = refine(t.number, (n) => Number.isSafeInteger(n) && n >= 0, 'NonNegativeInteger');
/** A non-empty array. */
export const nonEmptyArray = <C extends t.Mixed>(item: C, name: string) => refine(t.array(item), (a) => a.length > 0, name);
