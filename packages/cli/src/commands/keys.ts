import { once } from 'node:events';
import { resolve } from 'node:path';
import type { Command } from 'commander';
import { type CliIo, elapsedSeconds, println, seconds } from '../cli-io.js';
import { commandContext, printJson } from '../command-context.js';
import { exportKeyRecords, readKeyFile, writeKeyFile } from '../key-file.js';
import { withStoreOption } from './store-option.js';

const KEYS_NOTE = 'Without --keys or CLUSTERCONF_KEYS (or the config\'s "keys") the key store is the one beside the events of --store: ' +
  'the same SQLite file or PostgreSQL schema.';

/** `clusterconf keys export|import`: moves the key store of personal data apart from the log. */
export const registerKeysCommand = (program: Command, io: CliIo): void => {
  const keys = program
    .command('keys')
    .description('export or import the key store of personal data, so a history can move with or without its keys');

  withStoreOption(keys
    .command('export')
    .description('write every key and forget as NDJSON (one record per line, then a trailer with count and sha256); the keys are in the clear')
    .option('-o, --out <file>', 'write to this file (created readable by its owner only) instead of standard output')
    .option('--json', 'print the summary as one JSON object: {keys, out, count, sha256, seconds}'), KEYS_NOTE)
    .addHelpText('after', `\nExample:\n  clusterconf keys export --store sqlite:data/ecc2020.sqlite --out keys.ndjson`)
    .action(async (options: { out?: string }, command: Command) => {
      const context = commandContext(io, command);
      const { keys: access } = await context.load();
      const path = options.out === undefined ? undefined : resolve(io.cwd, options.out);
      const startedAt = performance.now();
      const store = await access.open();
      let summary;
      try {
        summary = path !== undefined
          ? await writeKeyFile(path, store)
          : await exportKeyRecords(store, async (chunk) => {
            if (!io.out.write(chunk)) await once(io.out, 'drain');
          });
      } finally {
        await store.close();
      }
      const notes = path === undefined ? io.err : io.out;
      if (context.json) {
        printJson(notes, { keys: access.display ?? null, out: path ?? null, count: summary.keys, sha256: summary.sha256, seconds: elapsedSeconds(startedAt) });
        return;
      }
      println(notes, `exported ${summary.keys} key records from ${access.display ?? 'the key store'}${path === undefined ? '' : ` to ${path}`} in ${seconds(startedAt)}, sha256 ${summary.sha256}`);
    });

  withStoreOption(keys
    .command('import')
    .description('add the records of a key export to the key store; a forget wins both ways, and a second key for a subject is refused')
    .argument('<file>', 'a file written by `clusterconf keys export`')
    .option('--json', 'print the summary as one JSON object: {file, keys, added, present, forgotten, keptForgotten, sha256, seconds}'), KEYS_NOTE)
    .addHelpText('after', `\nThe whole file is verified first; then it is imported all or nothing.\n` +
      'Example:\n  clusterconf keys import keys.ndjson --keys "postgres://postgres@127.0.0.1:5432/test?schema=ecc2020"')
    .action(async (file: string, _options: unknown, command: Command) => {
      const context = commandContext(io, command);
      const { keys: access } = await context.load();
      const path = resolve(io.cwd, file);
      const startedAt = performance.now();
      const { records, summary } = await readKeyFile(path);
      const store = await access.open();
      let imported;
      try {
        imported = await store.importKeys(records);
      } finally {
        await store.close();
      }
      if (context.json) {
        printJson(io.out, { file: path, keys: access.display ?? null, ...imported, sha256: summary.sha256, seconds: elapsedSeconds(startedAt) });
        return;
      }
      println(io.out, `imported ${summary.keys} key records from ${path} into ${access.display ?? 'the key store'} in ${seconds(startedAt)}: ` +
        `${imported.added} added, ${imported.present} already present, ${imported.forgotten} forgotten by the import, ` +
        `${imported.keptForgotten} kept forgotten; sha256 ${summary.sha256}`);
    });
};
