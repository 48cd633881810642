import type { Command } from 'commander';
import { formatPosition, forgetSubject } from '@clusterconf/domain';
import { type CliIo, println } from '../cli-io.js';
import { commandContext, printJson } from '../command-context.js';
import { withNamedEventStore } from '../store-access.js';
import { withStoreOption } from './store-option.js';

/** `clusterconf forget <subject>`: deletes a data subject's key and records the forget in the log. */
export const registerForgetCommand = (program: Command, io: CliIo): void => {
  withStoreOption(
    program
      .command('forget')
      .description('forget a data subject: delete its key, so its personal data reads as forgotten everywhere, and append PersonalDataForgotten')
      .argument('<subject>', 'the subject id, e.g. attendee-ecc2020.ana (an attendee is attendee-<conferenceId>.<attendeeId>)')
      .option('--json', 'print one JSON object: {subject, forgottenAt, keyDeleted, alreadyForgotten, position}'),
  )
    .addHelpText('after', '\nIdempotent: forgetting again changes nothing. No new personal data of a forgotten subject is taken.\n' +
      'Copies made before (backups, exports of the keys, read models outside the runner) still hold what they held.\n' +
      'Example:\n  clusterconf forget attendee-ecc2020.ana --store sqlite:data/ecc2020.sqlite')
    .action(async (subject: string, _options: unknown, command: Command) => {
      const context = commandContext(io, command);
      const { stores, keys } = await context.load();
      const result = await withNamedEventStore(stores, 'read', async ({ events, display }) => {
        const keyStore = await keys.open(events);
        try {
          return { display, ...(await forgetSubject({ keyStore, eventStore: events }, subject)) };
        } finally {
          await keyStore.close();
        }
      });
      const position = formatPosition(result.position);
      if (context.json) {
        printJson(io.out, { subject: result.subject, forgottenAt: result.forgottenAt, keyDeleted: result.keyDeleted, alreadyForgotten: result.alreadyForgotten, position });
        return;
      }
      println(io.out, result.alreadyForgotten
        ? `${result.subject} was forgotten already, at ${result.forgottenAt}: nothing changed (PersonalDataForgotten at position ${position})`
        : `forgot ${result.subject} at ${result.forgottenAt}: ${result.keyDeleted ? 'its key is deleted' : 'it had no key; none will be made'}, ` +
          `PersonalDataForgotten at position ${position} of ${result.display}`);
    });
};
