import * as t from 'io-ts';
import { createEventRegistry, defineEvent, type EventOf } from '@clusterconf/domain';
import { BookId, MemberId } from './ids.js';

/** A member took a book home. */
export const BookLent = defineEvent('BookLent', t.type({ bookId: BookId, memberId: MemberId }, 'BookLent'));

/** The book is back on the shelf; `memberId` is who had it. */
export const BookReturned = defineEvent('BookReturned', t.type({ bookId: BookId, memberId: MemberId }, 'BookReturned'));

/** Every event of the example; `as const` keeps the tuple that `EventOf` reads the union from. */
export const loanEventDefinitions = [BookLent, BookReturned] as const;

/** Encodes events for the store and decodes stored ones, with the codecs above as the only description of them. */
export const loanEvents = createEventRegistry(loanEventDefinitions);

/** `{ type: 'BookLent', data: { bookId: BookId, memberId: MemberId } } | { type: 'BookReturned', … }`. */
export type LoanEvent = EventOf<typeof loanEventDefinitions>;
