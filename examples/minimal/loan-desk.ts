import type * as E from 'fp-ts/lib/Either.js';
import { createCommandHandler, type CommandContext, type EventStore, type HandledCommand } from '@clusterconf/domain';
import { bookDecider, type Book, type LoanCommand, type LoanError } from './book-decider.js';
import type { BookId } from './ids.js';
import { loanEvents, type LoanEvent } from './loan-events.js';

/** Each book is its own stream, so two books never contend and one book's rules see all of its history. */
export const bookStream = (bookId: BookId): string => `book-${bookId}`;

/** Where commands meet the store: read and fold the book's stream, decide, append. */
export interface LoanDesk {
  handle(command: LoanCommand, context: CommandContext): Promise<E.Either<LoanError, HandledCommand<Book, LoanEvent>>>;
}

/** The loan desk on any event store; the stream follows from the command, so callers cannot pick a wrong one. */
export const createLoanDesk = (store: EventStore): LoanDesk => {
  const books = createCommandHandler({ store, registry: loanEvents, decider: bookDecider });
  return { handle: (command, context) => books.handle(bookStream(command.bookId), command, context) };
};
