import { describe, expect, it } from 'vitest';
import { projectEvents, type ReadModelStore } from '@clusterconf/projections';
import { bookId, memberId, type BookId, type MemberId } from './ids.js';
import type { LoanEvent } from './loan-events.js';
import { memberLoansProjection, type MemberLoans } from './member-loans.js';

const [dune, solaris] = [bookId('dune'), bookId('solaris')];
const [ada, bo] = [memberId('ada'), memberId('bo')];
const lent = (book: BookId, member: MemberId): LoanEvent => ({ type: 'BookLent', data: { bookId: book, memberId: member } });
const returned = (book: BookId, member: MemberId): LoanEvent => ({ type: 'BookReturned', data: { bookId: book, memberId: member } });

/** `projectEvents` stamps every event with this time, which the projection keeps as `since`. */
const GIVEN_AT = '1970-01-01T00:00:00.000Z';

const loansOf = (store: ReadModelStore, member: MemberId) =>
  store.readDocument<MemberLoans>(memberLoansProjection.namespace, 'members', member);

describe('member loans', () => {
  it('lists what each member has on loan, since when', async () => {
    const store = await projectEvents(memberLoansProjection, [lent(dune, ada), lent(solaris, bo)]);
    expect(await loansOf(store, ada)).toEqual({ memberId: ada, onLoan: [{ bookId: dune, since: GIVEN_AT }], returned: 0 });
    expect(await loansOf(store, bo)).toEqual({ memberId: bo, onLoan: [{ bookId: solaris, since: GIVEN_AT }], returned: 0 });
  });

  it('takes a returned book off the member\'s list and counts it', async () => {
    const store = await projectEvents(memberLoansProjection, [lent(dune, ada), lent(solaris, ada), returned(dune, ada)]);
    expect(await loansOf(store, ada)).toEqual({ memberId: ada, onLoan: [{ bookId: solaris, since: GIVEN_AT }], returned: 1 });
  });

  it('follows a book from one member to the next', async () => {
    const store = await projectEvents(memberLoansProjection, [lent(dune, ada), returned(dune, ada), lent(dune, bo)]);
    expect(await loansOf(store, ada)).toEqual({ memberId: ada, onLoan: [], returned: 1 });
    expect(await loansOf(store, bo)).toEqual({ memberId: bo, onLoan: [{ bookId: dune, since: GIVEN_AT }], returned: 0 });
  });

  it('has no document for a member who never borrowed', async () => {
    const store = await projectEvents(memberLoansProjection, [lent(dune, ada)]);
    expect(await loansOf(store, bo)).toBeUndefined();
  });
});
