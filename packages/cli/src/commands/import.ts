import { resolve } from 'node:path';
import type { Command } from 'commander';
import { type CliIo, println, resolveStoreUrl, seconds, withEventStore } from '../cli-io.js';
import { importEvents, verifyExportFile } from '../ndjson.js';
import { createProgress } from '../progress.js';
import { withStoreOption } from './store-option.js';

/** `clusterconf import FILE`: appends an export's events to a store and verifies them by count and checksum. */
export const registerImportCommand = (program: Command, io: CliIo): void => {
  withStoreOption(
    program
      .command('import')
      .description('append the events of an NDJSON export to a store, then verify them by count and sha256')
      .argument('<file>', 'a file written by `clusterconf export`'),
  )
    .addHelpText('after', '\nThe whole file is verified before anything is written (checksum, and every event as the stores check it).\n' +
      'An import is resumable, not atomic: a conflict with the target\'s events leaves the streams before it written;\n' +
      're-running after fixing the target continues (events already stored are skipped).\n' +
      'Example:\n  clusterconf import ecc2020.ndjson --store "postgres://postgres@127.0.0.1:5432/test?schema=ecc2020"')
    .action(async (file: string, options: { store?: string }) => {
      const url = resolveStoreUrl(io, options.store);
      const path = resolve(io.cwd, file);
      const startedAt = performance.now();
      // Verify the file before opening the target, so a bad file never creates an empty store.
      const expected = await verifyExportFile(path);
      const summary = await withEventStore(url, 'create', async (store) => {
        const progress = createProgress({ label: 'import', total: expected.events });
        try {
          return await importEvents(store, path, { onEvent: (count) => progress.update(count) });
        } finally {
          progress.stop();
        }
      });
      println(io.out, `imported ${path} into ${url.display} in ${seconds(startedAt)}: verified ${summary.events} events, sha256 ${summary.sha256}`);
    });
};
