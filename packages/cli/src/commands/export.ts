import { once } from 'node:events';
import { resolve } from 'node:path';
import type { Command } from 'commander';
import { formatPosition } from '@clusterconf/domain';
import { type CliIo, println, resolveStoreUrl, seconds, withEventStore } from '../cli-io.js';
import { openExportFile } from '../export-file.js';
import { exportEvents } from '../ndjson.js';
import { createProgress } from '../progress.js';
import { withStoreOption } from './store-option.js';

/** `clusterconf export`: the whole log as NDJSON with a count-and-checksum trailer. */
export const registerExportCommand = (program: Command, io: CliIo): void => {
  withStoreOption(
    program
      .command('export')
      .description('write every event of the store as NDJSON (one event per line, then a trailer with count and sha256)')
      .option('-o, --out <file>', 'write to this file instead of standard output'),
  )
    .addHelpText('after', '\nExample:\n  clusterconf export --store sqlite:data/ecc2020.sqlite --out ecc2020.ndjson')
    .action(async (options: { store?: string; out?: string }) => {
      const url = resolveStoreUrl(io, options.store);
      const path = options.out === undefined ? undefined : resolve(io.cwd, options.out);
      // With the events on stdout, every note goes to stderr.
      const notes = path === undefined ? io.err : io.out;
      const startedAt = performance.now();
      const summary = await withEventStore(url, 'read', async (store) => {
        const head = await store.headPosition();
        // SQL and memory positions are sequence numbers, so the head estimates the count; otherwise count only.
        const estimate = head !== undefined && head.commit === head.prepare ? Number(head.prepare) : 0;
        // A file is written beside its target and renamed over it only when complete; stdout is written as it goes.
        const file = path === undefined ? undefined : await openExportFile(path);
        const progress = createProgress({ label: 'export', total: estimate });
        const write = file !== undefined
          ? file.write
          : async (chunk: string): Promise<void> => {
            if (!io.out.write(chunk)) await once(io.out, 'drain');
          };
        try {
          const result = await exportEvents(store, write, (count) => progress.update(count));
          await file?.commit();
          return { ...result, head };
        } catch (error) {
          await file?.discard();
          throw error;
        } finally {
          progress.stop();
        }
      });
      println(notes, `exported ${summary.events} events up to position ${summary.head === undefined ? '(empty log)' : formatPosition(summary.head)} ` +
        `from ${url.display}${path === undefined ? '' : ` to ${path}`} in ${seconds(startedAt)}, sha256 ${summary.sha256}`);
    });
};
