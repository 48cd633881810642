import type { Command } from 'commander';
import { formatPosition, parsePosition, type Position, type RecordedEvent } from '@clusterconf/domain';
import { UsageError } from '../cli-errors.js';
import { type CliIo, println } from '../cli-io.js';
import { commandContext, printJson } from '../command-context.js';
import { withRevealedStore } from '../key-access.js';
import { withNamedEventStore } from '../store-access.js';
import { withStoreOption } from './store-option.js';
import { nothingBeforeHead, reachedHead } from './tail-until.js';

/** The largest position a store can hold: SQLite and PostgreSQL keep 64-bit signed integers, EventStoreDB's byte offsets stay below. */
const MAX_POSITION = 2n ** 63n - 1n;

interface TailOptions {
  readonly from: string;
  readonly untilHead?: boolean;
  readonly limit?: string;
  readonly type?: string[];
  readonly stream?: string[];
}

/** An event as `tail --json` prints it, one JSON object per line. */
const eventJson = (event: RecordedEvent) => ({
  position: formatPosition(event.position), streamId: event.streamId, streamRevision: event.streamRevision.toString(),
  type: event.type, data: event.data, metadata: event.metadata,
});

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
      .option('--stream <prefix...>', 'only streams starting with these prefixes')
      .option('--until-head', 'stop once the head of the log at the start is reached, instead of following new events')
      .option('--json', 'print each event as one JSON line (NDJSON): {position, streamId, streamRevision, type, data, metadata}'),
  )
    .addHelpText('after', '\nExamples:\n  clusterconf tail --store sqlite:data/ecc2020.sqlite\n  clusterconf tail --from start --type VoteCast --limit 5\n' +
      '  clusterconf tail --from start --until-head --json > events.ndjson')
    .action(async (options: TailOptions, command: Command) => {
      const context = commandContext(io, command);
      const limit = options.limit === undefined ? Number.POSITIVE_INFINITY : positiveInteger(options.limit, '--limit');
      const { loaded, stores, keys } = await context.load();
      // Events are printed with their personal data opened, or Forgotten where its subject was forgotten.
      await withNamedEventStore(stores, 'read', async ({ events, display }) => withRevealedStore(events, loaded.config.registry, keys, async (store) => {
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
        // The head is read before subscribing, so everything up to it is stored by the time the subscription reads.
        const head = options.untilHead ? await store.headPosition() : undefined;
        const where = after === undefined ? 'the start' : `position ${formatPosition(after)}`;
        if (options.untilHead && nothingBeforeHead(after, head)) {
          println(io.err, head === undefined
            ? `nothing to read: ${display} holds no events`
            : `nothing to read in ${display} after ${where}: the head is at position ${formatPosition(head)}` +
              (options.from === 'end' ? ' (give --from start or --from POSITION to read what is stored)' : ''));
          return;
        }
        const subscription = store.subscribe({ ...(after === undefined ? {} : { after }), filter });
        const stop = () => void subscription.close();
        process.on('SIGINT', stop);
        process.on('SIGTERM', stop);
        println(io.err, options.untilHead
          ? `reading ${display} after ${where} up to the head at position ${formatPosition(head!)}`
          : `following ${display} after ${where} (Ctrl-C to stop)`);
        let printed = 0;
        try {
          for await (const message of subscription) {
            if (message.kind === 'unreadable') {
              // A row the store cannot read is shown where it sits rather than passed over in silence.
              const { position, streamId, streamRevision, type, error } = message.event;
              println(io.err, `${formatPosition(position)} ${streamId}@${streamRevision} ${type} is unreadable: ${error.message}`);
            } else if (message.kind === 'event') {
              const { event } = message;
              if (context.json) printJson(io.out, eventJson(event));
              else println(io.out, `${formatPosition(event.position)} ${event.streamId}@${event.streamRevision} ${event.type} ${JSON.stringify(event.data)}`);
              if (++printed >= limit) break;
            }
            if (options.untilHead && reachedHead(message, head)) break;
          }
        } finally {
          process.off('SIGINT', stop);
          process.off('SIGTERM', stop);
          await subscription.close();
        }
      }));
    });
};
