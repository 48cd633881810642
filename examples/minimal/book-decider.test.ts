import { describe, it } from 'vitest';
import { given } from '@clusterconf/domain/testing';
import { bookDecider } from './book-decider.js';
import { bookId, memberId } from './ids.js';
import type { LoanEvent } from './loan-events.js';

const dune = bookId('dune');
const [ada, bo] = [memberId('ada'), memberId('bo')];
const lentToAda: LoanEvent = { type: 'BookLent', data: { bookId: dune, memberId: ada } };
const returnedByAda: LoanEvent = { type: 'BookReturned', data: { bookId: dune, memberId: ada } };

describe('a book', () => {
  it('on the shelf is lent to whoever asks', () => {
    given(bookDecider).when({ type: 'LendBook', bookId: dune, memberId: ada }).thenEvents([lentToAda]);
  });

  it('on loan is refused to anyone else, naming who has it', () => {
    given(bookDecider, [lentToAda])
      .when({ type: 'LendBook', bookId: dune, memberId: bo })
      .thenError((error) => error.code === 'AlreadyOnLoan' && error.heldBy === ada);
  });

  it('comes back from the member who has it', () => {
    given(bookDecider, [lentToAda]).when({ type: 'ReturnBook', bookId: dune }).thenEvents([returnedByAda]);
  });

  it('on the shelf cannot be returned', () => {
    given(bookDecider).when({ type: 'ReturnBook', bookId: dune }).thenError({
      code: 'NotOnLoan', bookId: dune, message: 'dune is not on loan, so it cannot be returned',
    });
  });

  it('once returned is lent again', () => {
    given(bookDecider, [lentToAda, returnedByAda])
      .when({ type: 'LendBook', bookId: dune, memberId: bo })
      .thenEvents([{ type: 'BookLent', data: { bookId: dune, memberId: bo } }]);
  });
});
