import * as E from 'fp-ts/lib/Either.js';
import type { Decider } from '@clusterconf/domain';
import type { BookId, MemberId } from './ids.js';
import type { LoanEvent } from './loan-events.js';

/** What a member asks the loan desk for. Ids are branded, so a command holds only checked ids. */
export type LoanCommand =
  | { readonly type: 'LendBook'; readonly bookId: BookId; readonly memberId: MemberId }
  | { readonly type: 'ReturnBook'; readonly bookId: BookId };

/** One book, as its stream's events fold it. */
export type Book = { readonly status: 'on-shelf' } | { readonly status: 'on-loan'; readonly memberId: MemberId };

/** Why the desk refused a command: a code to switch on, the facts, and a sentence for people. */
export type LoanError =
  | { readonly code: 'AlreadyOnLoan'; readonly bookId: BookId; readonly heldBy: MemberId; readonly message: string }
  | { readonly code: 'NotOnLoan'; readonly bookId: BookId; readonly message: string };

/**
 * The rules of one book's stream: a book on the shelf can be lent, a book on loan can be returned, nothing else.
 * Pure: the command and the folded state in, events or a refusal out.
 */
export const bookDecider: Decider<LoanCommand, Book, LoanEvent, LoanError> = {
  initialState: { status: 'on-shelf' },
  evolve: (_book, event) => {
    switch (event.type) {
      case 'BookLent':
        return { status: 'on-loan', memberId: event.data.memberId };
      case 'BookReturned':
        return { status: 'on-shelf' };
    }
  },
  decide: (command, book) => {
    switch (command.type) {
      case 'LendBook':
        if (book.status === 'on-loan') {
          return E.left({
            code: 'AlreadyOnLoan', bookId: command.bookId, heldBy: book.memberId,
            message: `${command.bookId} is on loan to ${book.memberId}; it can be lent again once it is returned`,
          });
        }
        return E.right([{ type: 'BookLent', data: { bookId: command.bookId, memberId: command.memberId } }]);
      case 'ReturnBook':
        if (book.status === 'on-shelf') {
          return E.left({ code: 'NotOnLoan', bookId: command.bookId, message: `${command.bookId} is not on loan, so it cannot be returned` });
        }
        return E.right([{ type: 'BookReturned', data: { bookId: command.bookId, memberId: book.memberId } }]);
    }
  },
};
