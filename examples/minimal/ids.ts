import * as t from 'io-ts';

/** 1 to 64 lower-case letters, digits and `-`, not starting with `-`: safe inside a stream id. */
const SLUG = /^[a-z0-9][a-z0-9-]{0,63}$/;

/** The brand of `BookId`; exported because the declarations of every type built from the codec name it. */
export interface BookIdBrand {
  readonly BookId: unique symbol;
}
/** A book's id (`dune`); a plain string becomes one only through this codec's check. */
export const BookId = t.brand(t.string, (text): text is t.Branded<string, BookIdBrand> => SLUG.test(text), 'BookId');
export type BookId = t.TypeOf<typeof BookId>;

/** The brand of `MemberId`. */
export interface MemberIdBrand {
  readonly MemberId: unique symbol;
}
/** A library member's id (`ada`). */
export const MemberId = t.brand(t.string, (text): text is t.Branded<string, MemberIdBrand> => SLUG.test(text), 'MemberId');
export type MemberId = t.TypeOf<typeof MemberId>;

const RULE = 'use 1 to 64 lower-case letters, digits and "-", not starting with "-"';

/** A `BookId` from text the program trusts (a literal, a fixture); anything else throws, naming the rule. */
export const bookId = (text: string): BookId => {
  if (!BookId.is(text)) throw new TypeError(`${JSON.stringify(text)} is not a BookId: ${RULE}`);
  return text;
};

/** A `MemberId` from text the program trusts; anything else throws, naming the rule. */
export const memberId = (text: string): MemberId => {
  if (!MemberId.is(text)) throw new TypeError(`${JSON.stringify(text)} is not a MemberId: ${RULE}`);
  return text;
};
