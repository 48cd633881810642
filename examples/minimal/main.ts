// The minimal example: a library's loan desk as an event-sourced service on embedded SQLite.
//   npm start -w @clusterconf/example-minimal [-- path/to/file.sqlite]      (default: data/library.sqlite)
// Writes five commands through the decider, projects the loans per member into a read model in the same file and
// queries it. Every command carries its own id, so a second run on the same file appends nothing.
import { mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import * as E from 'fp-ts/lib/Either.js';
import type { CommandContext, Position } from '@clusterconf/domain';
import { createProjectionRunner, createReadModelReader } from '@clusterconf/projections';
import { SqliteEventStore, SqliteReadModelStore } from '@clusterconf/adapters/sqlite';
import type { LoanCommand } from './book-decider.js';
import { bookId, memberId } from './ids.js';
import { createLoanDesk } from './loan-desk.js';
import { loanEvents } from './loan-events.js';
import { memberLoansProjection, readMemberLoans } from './member-loans.js';

const path = resolve(process.argv[2] ?? 'data/library.sqlite');
const say = (line: string) => process.stdout.write(`${line}\n`);

const [dune, neuromancer, solaris] = [bookId('dune'), bookId('neuromancer'), bookId('solaris')];
const [ada, bo] = [memberId('ada'), memberId('bo')];

/** What happens at the desk: a label, the command, and its id and time (the decider reads no clock). */
const day: readonly (readonly [string, LoanCommand, CommandContext])[] = [
  ['ada borrows dune', { type: 'LendBook', bookId: dune, memberId: ada }, { commandId: 'lend-dune-ada', occurredAt: '2024-03-01T10:00:00Z' }],
  ['ada borrows neuromancer', { type: 'LendBook', bookId: neuromancer, memberId: ada }, { commandId: 'lend-neuromancer-ada', occurredAt: '2024-03-01T10:05:00Z' }],
  ['bo borrows solaris', { type: 'LendBook', bookId: solaris, memberId: bo }, { commandId: 'lend-solaris-bo', occurredAt: '2024-03-01T11:00:00Z' }],
  ['ada returns dune', { type: 'ReturnBook', bookId: dune }, { commandId: 'return-dune-ada', occurredAt: '2024-03-08T09:30:00Z' }],
  ['bo asks for neuromancer', { type: 'LendBook', bookId: neuromancer, memberId: bo }, { commandId: 'lend-neuromancer-bo', occurredAt: '2024-03-08T09:45:00Z' }],
];

const main = async (): Promise<void> => {
  mkdirSync(dirname(path), { recursive: true });
  const eventStore = await SqliteEventStore.open({ path });
  // The read model shares the event store's file, so documents and checkpoint commit in one transaction.
  const readModelStore = await SqliteReadModelStore.open({ database: eventStore.database });
  const runner = createProjectionRunner({ eventStore, readModelStore, registry: loanEvents, projections: [memberLoansProjection] });
  try {
    await runner.start();
    const desk = createLoanDesk(eventStore);
    say(`library at ${path}`);
    let last: Position | undefined;
    for (const [label, command, context] of day) {
      const result = await desk.handle(command, context);
      if (E.isLeft(result)) {
        say(`${label}: refused (${result.left.code}): ${result.left.message}`);
        continue;
      }
      const { events, repeated, position } = result.right;
      say(`${label}: ${repeated ? 'handled before, nothing appended' : `appended ${events.map((event) => event.type).join(', ')}`}`);
      last = position;
    }
    // Read your own writes: wait until the projection has committed the last appended position.
    await runner.waitFor(last);
    const reader = createReadModelReader(readModelStore);
    for (const member of [ada, bo]) {
      const loans = await readMemberLoans(reader, member);
      const books = loans?.onLoan.map((loan) => `${loan.bookId} (since ${loan.since})`).join(', ') || 'nothing';
      say(`${member} has ${books} on loan and returned ${loans?.returned ?? 0}`);
    }
  } finally {
    await runner.stop();
    await readModelStore.close();
    await eventStore.close();
  }
};

try {
  await main();
} catch (error) {
  process.stderr.write(`minimal example: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exitCode = 1;
}
