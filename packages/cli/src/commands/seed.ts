import type { Command } from 'commander';
import { ClusterconfError, conferenceEvents, conferenceStream, type EventStore, formatPosition } from '@clusterconf/domain';
import { PartialHistoryError, firstEventId, historyState, writeEcc2020History } from '../ecc2020/write-history.js';
import { CONFERENCE_ID, DEFAULT_SEED } from '../ecc2020/generator.js';
import { UsageError } from '../cli-errors.js';
import { type CliIo, DEFAULT_STORE, println, resolveStoreUrl, seconds, withEventStore } from '../cli-io.js';
import { commandContext, type GlobalOptions } from '../command-context.js';
import { keyAccess, withRevealedStore } from '../key-access.js';
import { withStoreOption } from './store-option.js';

const SEEDS = ['ecc2020'] as const;

/** A store holding the ECC 2020 history written with another seed than the one asked for. */
export class OtherSeedError extends ClusterconfError {
  readonly code = 'OTHER_SEED';
}

/** The id of the first event the store holds of the history, or `undefined`. */
const storedFirstEventId = async (store: EventStore): Promise<string | undefined> => {
  for await (const event of store.readStream(conferenceStream(CONFERENCE_ID), { maxCount: 1 })) return event.metadata.eventId;
  return undefined;
};

/** Parses `--seed`: digits only, so "" or " " is not read as 0. */
export const parseSeed = (text: string): number => {
  const seed = /^\d+$/.test(text) ? Number(text) : Number.NaN;
  // The id generator keeps 32 bits of the seed: a larger one would silently write the history of a smaller one.
  if (!Number.isSafeInteger(seed) || seed > 0xffff_ffff) {
    throw new UsageError(`--seed "${text}" is not a whole number from 0 to 4294967295; give e.g. --seed ${DEFAULT_SEED}`);
  }
  return seed;
};

/** `clusterconf seed ecc2020`: writes the example history through the conference service, once. */
export const registerSeedCommand = (program: Command, io: CliIo): void => {
  withStoreOption(
    program
      .command('seed')
      .description('write a known history into the store through the library\'s commands (only into a store without it)')
      .argument('<history>', `which history: ${SEEDS.join(', ')}`)
      .option('--seed <number>', 'seed of the generator for what the sources do not give', String(DEFAULT_SEED)),
    `Without --store or CLUSTERCONF_STORE the store is ${DEFAULT_STORE} (relative to the working directory); seed reads no config.`,
  )
    .addHelpText('after', '\necc2020 is the European Cluster Conference 2020: 1,000 attendees from 52 countries, the agenda, the votes, the awards\n' +
      'and the European Cluster Alliance. The same seed writes the same events (ids included), the attendees\' names sealed\n' +
      'under keys beside the events (or in --keys).\n' +
      'Example:\n  clusterconf seed ecc2020 --store sqlite:data/ecc2020.sqlite && clusterconf replay --store sqlite:data/ecc2020.sqlite')
    .action(async (history: string, options: { store?: string; seed: string }, command: Command) => {
      if (!(SEEDS as readonly string[]).includes(history)) throw new UsageError(`Unknown history "${history}": choose one of ${SEEDS.join(', ')}`);
      const seed = parseSeed(options.seed);
      const url = resolveStoreUrl(io, options.store);
      // The attendees' names are sealed under their keys, beside the events unless --keys names another store.
      const keys = keyAccess(io, command.optsWithGlobals<GlobalOptions>().keys, undefined, options.store ?? io.env.CLUSTERCONF_STORE ?? DEFAULT_STORE);
      const startedAt = performance.now();
      await withEventStore(url, 'create', async (events) => withRevealedStore(events, conferenceEvents, keys, async (store) => {
        const state = await historyState(store);
        if (state === 'partial') throw new PartialHistoryError(url.display);
        if (state === 'complete') {
          const stored = (await storedFirstEventId(store))?.toLowerCase();
          const wanted = firstEventId(seed).toLowerCase();
          if (stored !== wanted) {
            const other = seed !== DEFAULT_SEED && stored === firstEventId(DEFAULT_SEED) ? `the default seed ${DEFAULT_SEED}` : 'another seed';
            throw new OtherSeedError(`${url.display} already holds the ECC 2020 history written with ${other} (first event id ${stored ?? '-'}), ` +
              `not with seed ${seed} (first event id ${wanted}); nothing written: seed another store (a new SQLite file or PostgreSQL ` +
              `schema) for seed ${seed}, or use this one as it is`);
          }
          const head = await store.headPosition();
          println(io.out, `${url.display} already holds the ECC 2020 history of seed ${seed} (head ${head === undefined ? '-' : formatPosition(head)}): nothing written`);
          return;
        }
        const progress = commandContext(io, command).progress('seed ecc2020', 'commands');
        let started = false;
        try {
          const written = await writeEcc2020History(store, {
            seed,
            onStep: (done, total) => {
              if (!started) progress.phase('writing', total);
              started = true;
              progress.update(done);
            },
          });
          progress.stop();
          println(io.out, `seeded ecc2020 (seed ${seed}) into ${url.display}: ${written.commands} commands, ${written.events} events in ${seconds(startedAt)}`);
        } finally {
          progress.stop();
        }
      }));
    });
};
