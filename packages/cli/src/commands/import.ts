import { resolve } from 'node:path';
import type { Command } from 'commander';
import { type CliIo, elapsedSeconds, println, seconds } from '../cli-io.js';
import { commandContext, printJson } from '../command-context.js';
import { claimedEventCount, importVerifiedExport, type ImportSummary, verifyExportFile } from '../ndjson.js';
import { withNamedEventStore } from '../store-access.js';
import { withStoreOption } from './store-option.js';

const count = (n: number): string => n.toLocaleString('en-US');

/** The summary line: what was new, what was there already, and the verification. */
export const describeImport = (summary: ImportSummary, path: string, store: string, took: string): string =>
  `imported ${count(summary.newEvents)} new event${summary.newEvents === 1 ? '' : 's'}, ${count(summary.presentEvents)} already present, ` +
  `from ${path} into ${store} in ${took}: verified ${summary.events} events, sha256 ${summary.sha256}`;

/** `clusterconf import FILE`: appends an export's events to a store and verifies them by count and checksum. */
export const registerImportCommand = (program: Command, io: CliIo): void => {
  withStoreOption(
    program
      .command('import')
      .description('append the events of an NDJSON export to a store, then verify them by count and sha256')
      .argument('<file>', 'a file written by `clusterconf export`')
      .option('--json', 'print the summary as one JSON object: {file, store, events, newEvents, presentEvents, sha256, seconds}'),
  )
    .addHelpText('after', '\nThe whole file is verified before anything is written (checksum, and every event as the stores check it).\n' +
      'An import is resumable, not atomic: a conflict with the target\'s events leaves the streams before it written;\n' +
      're-running after fixing the target continues (events already stored are skipped, and counted as already present).\n' +
      'Example:\n  clusterconf import ecc2020.ndjson --store "postgres://postgres@127.0.0.1:5432/test?schema=ecc2020"')
    .action(async (file: string, _options: unknown, command: Command) => {
      const context = commandContext(io, command);
      const { stores } = await context.load();
      const path = resolve(io.cwd, file);
      const startedAt = performance.now();
      const progress = context.progress('import');
      try {
        // Verify the file before opening the target, so a bad file never creates an empty store.
        progress.phase('reading', claimedEventCount(path));
        const verified = await verifyExportFile(path, { onEvent: (n) => progress.update(n) });
        const { summary, display } = await withNamedEventStore(stores, 'create', async ({ events: store, display }) => {
          progress.phase('writing', verified.events);
          const summary = await importVerifiedExport(store, verified, {
            onEvent: (n) => progress.update(n),
            onVerify: (found, total) => {
              if (found === 0) progress.phase('verifying', total);
              progress.update(found);
            },
          });
          return { summary, display };
        });
        progress.stop();
        if (context.json) {
          printJson(io.out, {
            file: path, store: display, events: summary.events, newEvents: summary.newEvents, presentEvents: summary.presentEvents,
            sha256: summary.sha256, seconds: elapsedSeconds(startedAt),
          });
          return;
        }
        println(io.out, describeImport(summary, path, display, seconds(startedAt)));
      } finally {
        progress.stop();
      }
    });
};
