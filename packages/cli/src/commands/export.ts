import { once } from 'node:events';
import { resolve } from 'node:path';
import type { Command } from 'commander';
import { formatPosition } from '@clusterconf/domain';
import { type CliIo, elapsedSeconds, println, seconds } from '../cli-io.js';
import { commandContext, printJson } from '../command-context.js';
import { openExportFile } from '../export-file.js';
import { exportEvents } from '../ndjson.js';
import { withNamedEventStore } from '../store-access.js';
import { withStoreOption } from './store-option.js';

/** `clusterconf export`: the whole log as NDJSON with a count-and-checksum trailer. */
export const registerExportCommand = (program: Command, io: CliIo): void => {
  withStoreOption(
    program
      .command('export')
      .description('write every event of the store as NDJSON (one event per line, then a trailer with count and sha256)')
      .option('-o, --out <file>', 'write to this file instead of standard output')
      .option('--json', 'print the summary as one JSON object: {store, out, events, head, sha256, seconds} (on stderr when the events go to stdout)'),
  )
    .addHelpText('after', '\nExample:\n  clusterconf export --store sqlite:data/ecc2020.sqlite --out ecc2020.ndjson')
    .action(async (options: { out?: string }, command: Command) => {
      const context = commandContext(io, command);
      const { stores } = await context.load();
      const path = options.out === undefined ? undefined : resolve(io.cwd, options.out);
      // With the events on stdout, every note goes to stderr.
      const notes = path === undefined ? io.err : io.out;
      const startedAt = performance.now();
      const summary = await withNamedEventStore(stores, 'read', async ({ events: store, display }) => {
        const head = await store.headPosition();
        // SQL and memory positions are sequence numbers, so the head estimates the count; otherwise count only.
        const estimate = head !== undefined && head.commit === head.prepare ? Number(head.prepare) : 0;
        // A file is written beside its target and renamed over it only when complete; stdout is written as it goes.
        const file = path === undefined ? undefined : await openExportFile(path);
        const progress = context.progress('export');
        progress.phase('writing', estimate);
        const write = file !== undefined
          ? file.write
          : async (chunk: string): Promise<void> => {
            if (!io.out.write(chunk)) await once(io.out, 'drain');
          };
        try {
          const result = await exportEvents(store, write, (count) => progress.update(count));
          await file?.commit();
          return { ...result, head, display };
        } catch (error) {
          await file?.discard();
          throw error;
        } finally {
          progress.stop();
        }
      });
      const head = summary.head === undefined ? undefined : formatPosition(summary.head);
      if (context.json) {
        printJson(notes, {
          store: summary.display, out: path ?? null, events: summary.events, head: head ?? null, sha256: summary.sha256,
          seconds: elapsedSeconds(startedAt),
        });
        return;
      }
      println(notes, `exported ${summary.events} events up to position ${head ?? '(empty log)'} ` +
        `from ${summary.display}${path === undefined ? '' : ` to ${path}`} in ${seconds(startedAt)}, sha256 ${summary.sha256}`);
    });
};
