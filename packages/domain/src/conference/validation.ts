import * as E from 'fp-ts/lib/Either.js';
import type * as t from 'io-ts';
import { CountryCode, IsoDate, STAKEHOLDER_GROUPS, StakeholderGroup } from './codecs.js';
import { ConferenceErrors, type ConferenceError } from './errors.js';

// Commands arrive as plain input from outside; these checks turn it into branded values or a typed error, never a throw.

type Check<A> = E.Either<ConferenceError, A>;

const SLUG_RULE = 'a slug: 1 to 64 of a-z, 0-9 and "-", starting with a letter or digit';

/** Checks a slug id against its branded codec. */
export const checkId = <A>(codec: t.Type<A, string, unknown>, field: string, value: unknown): Check<A> =>
  codec.is(value) ? E.right(value) : E.left(ConferenceErrors.invalidInput(field, value, SLUG_RULE));

/** Checks a non-blank string; the value is kept as given. */
export const checkText = (field: string, value: unknown): Check<string> =>
  typeof value !== 'string'
    ? E.left(ConferenceErrors.invalidInput(field, value, 'a string'))
    : value.trim().length === 0
      ? E.left(ConferenceErrors.blankField(field))
      : E.right(value);

/** Checks an assigned ISO 3166-1 alpha-2 code. */
export const checkCountry = (field: string, value: unknown): Check<CountryCode> =>
  CountryCode.is(value) ? E.right(value) : E.left(ConferenceErrors.invalidCountry(field, value));

/** Checks a real calendar date written YYYY-MM-DD. */
export const checkDate = (field: string, value: unknown): Check<IsoDate> =>
  IsoDate.is(value) ? E.right(value) : E.left(ConferenceErrors.invalidInput(field, value, 'a calendar date written YYYY-MM-DD'));

/** Checks one of the stakeholder groups the facts name. */
export const checkGroup = (value: unknown): Check<StakeholderGroup> =>
  StakeholderGroup.is(value) ? E.right(value) : E.left(ConferenceErrors.unknownStakeholderGroup(value, STAKEHOLDER_GROUPS));

/** Checks an integer ≥ 1. */
export const checkPositiveInteger = (field: string, value: unknown): Check<number> =>
  typeof value === 'number' && Number.isSafeInteger(value) && value >= 1
    ? E.right(value)
    : E.left(ConferenceErrors.invalidInput(field, value, 'a whole number of at least 1'));

/** Checks that a value is an array, then each item, stopping at the first error. */
export const checkEach = <A>(field: string, value: unknown, item: (field: string, value: unknown) => Check<A>): Check<A[]> => {
  if (!Array.isArray(value)) return E.left(ConferenceErrors.invalidInput(field, value, 'a list'));
  const out: A[] = [];
  for (const [index, element] of (value as unknown[]).entries()) {
    const checked = item(`${field}.${index}`, element);
    if (E.isLeft(checked)) return checked;
    out.push(checked.right);
  }
  return E.right(out);
};

/** Checks that a value is a plain object, so its fields can be read. */
export const checkRecord = (field: string, value: unknown): Check<Record<string, unknown>> =>
  typeof value === 'object' && value !== null && !Array.isArray(value)
    ? E.right(value as Record<string, unknown>)
    : E.left(ConferenceErrors.invalidInput(field, value, 'an object'));

/** Checks that a command is an object whose `type` is one of the known ones; untyped callers get a Left, not a throw. */
export const checkCommand = (command: unknown, types: readonly string[]): E.Either<ConferenceError, true> =>
  typeof command !== 'object' || command === null
    ? E.left(ConferenceErrors.invalidInput('command', command, 'an object with a type'))
    : types.includes((command as { type?: unknown }).type as string)
      ? E.right(true)
      : E.left(ConferenceErrors.invalidInput('type', (command as { type?: unknown }).type, `one of ${types.join(', ')}`));
