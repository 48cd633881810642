import { defineProjection, type ReadModelReader } from '@clusterconf/projections';
import type { BookId, MemberId } from './ids.js';
import { loanEvents } from './loan-events.js';

/** One member's document in the read model: what they have at home, since when, and how many they brought back. */
export type MemberLoans = {
  readonly memberId: MemberId;
  readonly onLoan: readonly { readonly bookId: BookId; readonly since: string }[];
  readonly returned: number;
};

/** The collection of the read model: one document per member, id = member id. */
const MEMBERS = 'members';

/** Folds the loan events of every book into one document per member. */
export const memberLoansProjection = defineProjection(loanEvents, {
  name: 'member_loans',
  version: 1,
  handlers: {
    BookLent: ({ data, metadata }, ops) =>
      ops.update<MemberLoans>(MEMBERS, data.memberId, (current) => ({
        memberId: data.memberId,
        onLoan: [...(current?.onLoan ?? []), { bookId: data.bookId, since: metadata.occurredAt }],
        returned: current?.returned ?? 0,
      })),
    BookReturned: ({ data }, ops) =>
      ops.update<MemberLoans>(MEMBERS, data.memberId, (current) => ({
        memberId: data.memberId,
        onLoan: (current?.onLoan ?? []).filter((loan) => loan.bookId !== data.bookId),
        returned: (current?.returned ?? 0) + 1,
      })),
  },
});

/** The query: a member's loans from the active version of the read model; `undefined` for a member who never borrowed. */
export const readMemberLoans = (reader: ReadModelReader, member: MemberId): Promise<MemberLoans | undefined> =>
  reader.get<MemberLoans>(memberLoansProjection.name, MEMBERS, member);
