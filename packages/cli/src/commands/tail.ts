import type { Command } from 'commander';
import { formatPosition, parsePosition, type Position } from '@clusterconf/domain';
import { UsageError } from '../cli-errors.js';
import { type CliIo, println, resolveStoreUrl, withEventStore } from '../cli-io.js';
import { withStoreOption } from './store-option.js';

/** The largest position a store can hold: SQLite and PostgreSQL keep 64-bit signed integers, EventStoreDB's byte offsets stay below. */
const MAX_POSITION = 2n ** 63n - 1n;

interface TailOptions {
  readonly store?: string;
  readonly from: string;
  readonly limit?: string;
  readonly type?: string[];
  readonly stream?: string[];
}

const positiveInteger = (text: string, option: string): number => {
  const value = Number(text);
  if (!Number.isSafeInteger(value) || value < 1) throw new UsageError(`${option} "${text}" is not a positive whole number; give e.g. ${option} 10`);
  return value;
};

/** `clusterconf tail`: prints new events as they are appended, one line each, until interrupted. */
export const registerTailCommand = (program: Command, io: CliIo): void => {
  withStoreOption(
    program
      .command('tail')
      .description('follow the log live: print each new event as "position stream@revision type data"')
      .option('--from <where>', 'start after: "end" (only new events), "start" (the whole log), or a position such as 42', 'end')
      .option('-n, --limit <count>', 'stop after printing this many events')
      .option('-t, --type <type...>', 'only these event types')
      .option('--stream <prefix...>', 'only streams starting with these prefixes'),
  )
    .addHelpText('after', '\nExamples:\n  clusterconf tail --store sqlite:data/ecc2020.sqlite\n  clusterconf tail --from start --type VoteCast --limit 5')
    .action(async (options: TailOptions) => {
      const url = resolveStoreUrl(io, options.store);
      const limit = options.limit === undefined ? Number.POSITIVE_INFINITY : positiveInteger(options.limit, '--limit');
      await withEventStore(url, 'read', async (store) => {
        let after: Position | undefined;
        if (options.from === 'end') after = await store.headPosition();
        else if (options.from !== 'start') {
          try {
            after = parsePosition(options.from);
          } catch (error) {
            throw new UsageError(`--from: ${(error as Error).message}, or "start" or "end"`);
          }
          // A larger one is a typo, not a place in any log (and would reach the driver as an overflow).
          if (after.commit > MAX_POSITION || after.prepare > MAX_POSITION) {
            throw new UsageError(`--from: "${options.from}" is past the largest position a store can hold (${MAX_POSITION}); give a position such as 42, or "start" or "end"`);
          }
        }
        const filter = {
          ...(options.type === undefined ? {} : { eventTypes: options.type }),
          ...(options.stream === undefined ? {} : { streamPrefixes: options.stream }),
        };
        const subscription = store.subscribe({ ...(after === undefined ? {} : { after }), filter });
        const stop = () => void subscription.close();
        process.on('SIGINT', stop);
        process.on('SIGTERM', stop);
        println(io.err, `following ${url.display} after ${after === undefined ? 'the start' : `position ${formatPosition(after)}`} (Ctrl-C to stop)`);
        let printed = 0;
        try {
          for await (const message of subscription) {
            if (message.kind === 'unreadable') {
              // A row the store cannot read is shown where it sits rather than passed over in silence.
              const { position, streamId, streamRevision, type, error } = message.event;
              println(io.err, `${formatPosition(position)} ${streamId}@${streamRevision} ${type} is unreadable: ${error.message}`);
              continue;
            }
            if (message.kind !== 'event') continue;
            const { event } = message;
            println(io.out, `${formatPosition(event.position)} ${event.streamId}@${event.streamRevision} ${event.type} ${JSON.stringify(event.data)}`);
            if (++printed >= limit) break;
          }
        } finally {
          process.off('SIGINT', stop);
          process.off('SIGTERM', stop);
          await subscription.close();
        }
      });
    });
};
