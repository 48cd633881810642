import * as E from 'fp-ts/lib/Either.js';
import type * as t from 'io-ts';
import { errorPath } from '../kernel/event-registry.js';
import {
  AllianceId, AttendeeId, AwardId, CandidateId, ConferenceId, CountryCode, IsoDate, NonEmptyString, NonNegativeInteger, PositiveInteger,
  STAKEHOLDER_GROUPS, SessionId, StakeholderGroup,
} from './codecs.js';
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

// What the codecs of commands and their nested facts (ballot views, tallies) expect, in the words of the checks above.
const SLUG_CODECS = new Set<string>([ConferenceId, AttendeeId, SessionId, CandidateId, AwardId, AllianceId].map((codec) => codec.name));
const NAMED: Readonly<Record<string, string>> = {
  [NonEmptyString.name]: 'a non-blank string',
  [PositiveInteger.name]: 'a whole number of at least 1',
  [NonNegativeInteger.name]: 'a whole number of at least 0',
  [IsoDate.name]: 'a calendar date written YYYY-MM-DD',
  [CountryCode.name]: 'an ISO 3166-1 alpha-2 code such as "DE"',
};

type Described = t.Decoder<unknown, unknown> & { readonly _tag?: string; readonly types?: readonly Described[]; readonly keys?: object };

const expected = (codec: Described): string => {
  if (SLUG_CODECS.has(codec.name)) return SLUG_RULE;
  const named = NAMED[codec.name];
  if (named !== undefined) return named;
  switch (codec._tag) {
    case 'StringType': return 'a string';
    case 'NumberType': return 'a number';
    case 'BooleanType': return 'true or false';
    case 'NullType': return 'null';
    case 'ArrayType':
    case 'ReadonlyArrayType': return 'a list';
    case 'InterfaceType':
    case 'ReadonlyType':
    case 'ExactType': return 'an object';
    case 'KeyofType': return `one of ${Object.keys(codec.keys ?? {}).map((key) => `"${key}"`).join(', ')}`;
    case 'UnionType': return (codec.types ?? []).map(expected).join(' or ');
    default: return codec.name;
  }
};

/**
 * Checks plain input against an io-ts codec, the single source of its shape. The first problem becomes a typed error
 * naming its full path under `field` (`ballot.tally.0.votes`): `BlankField` for a blank string where a non-blank one
 * belongs, `InvalidInput` otherwise.
 */
export const checkCodec = <A>(codec: t.Decoder<unknown, A>, field: string, value: unknown): Check<A> => {
  const decoded = codec.decode(value);
  if (E.isRight(decoded)) return decoded;
  const [error] = decoded.left;
  if (error === undefined) return E.left(ConferenceErrors.invalidInput(field, value, codec.name));
  const path = errorPath(error.context);
  const at = path === '' ? field : `${field}.${path}`;
  // A member of a union reports against the member; the union says what was expected.
  let index = error.context.length - 1;
  while (index > 0 && (error.context[index - 1]!.type as Described)._tag === 'UnionType') index--;
  const codecAt = error.context[index]!.type as Described;
  return codecAt.name === NonEmptyString.name && typeof error.value === 'string'
    ? E.left(ConferenceErrors.blankField(at))
    : E.left(ConferenceErrors.invalidInput(at, error.value, expected(codecAt)));
};
