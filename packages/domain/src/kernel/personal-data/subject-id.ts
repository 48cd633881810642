import * as t from 'io-ts';
import type { Brand } from '../brand.js';
import { InvalidSubjectIdError } from './personal-data-errors.js';

/**
 * Whom personal data is about: the data subject whose key encrypts it and whose `forget` erases it, e.g.
 * `attendee-ecc2020.ana`. Only `subjectId` (or the `SubjectIdCodec`) makes one.
 */
export type SubjectId = Brand<string, 'SubjectId'>;

/** The longest subject id, in characters: it becomes part of a stream id (`personal-data-<subject>`). */
export const MAX_SUBJECT_ID_LENGTH = 200;

// eslint-disable-next-line no-control-regex
const UNSAFE = /[\u0000-\u0020\u007f-\u009f]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** Why `text` is no subject id, or `undefined`: 1 to 200 characters, without white space, control characters or lone surrogates. */
export const subjectIdProblem = (text: unknown): string | undefined => {
  if (typeof text !== 'string') return `expected a string, got ${text === null ? 'null' : typeof text}`;
  if (text.length === 0) return 'it is empty; give the id of the person the data is about, e.g. "attendee-ecc2020.ana"';
  if (text.length > MAX_SUBJECT_ID_LENGTH) return `it has ${text.length} characters; the limit is ${MAX_SUBJECT_ID_LENGTH}`;
  const unsafe = UNSAFE.exec(text);
  if (unsafe) return `it contains U+${unsafe[0].charCodeAt(0).toString(16).toUpperCase().padStart(4, '0')} at index ${unsafe.index}; use printable characters without spaces`;
  return undefined;
};

/** The subject id `text`, or `InvalidSubjectIdError` saying what is wrong with it. */
export const subjectId = (text: string): SubjectId => {
  const problem = subjectIdProblem(text);
  if (problem !== undefined) throw new InvalidSubjectIdError(String(text), problem);
  return text as SubjectId;
};

/** Whether `text` is a subject id. */
export const isSubjectId = (text: unknown): text is SubjectId => subjectIdProblem(text) === undefined;

/** The io-ts codec of subject ids. */
export const SubjectIdCodec = new t.RefinementType<t.StringC, SubjectId, string, unknown>(
  'SubjectId',
  (u): u is SubjectId => isSubjectId(u),
  (u, c) => (isSubjectId(u) ? t.success(u) : t.failure(u, c, subjectIdProblem(u))),
  t.identity,
  t.string,
  (s: string) => isSubjectId(s),
);
