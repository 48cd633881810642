import type { Command } from 'commander';
import { formatPosition } from '@clusterconf/domain';
import { PartialHistoryError, historyState, writeEcc2020History } from '../ecc2020/write-history.js';
import { DEFAULT_SEED } from '../ecc2020/generator.js';
import { UsageError } from '../cli-errors.js';
import { type CliIo, println, resolveStoreUrl, seconds, withEventStore } from '../cli-io.js';
import { createProgress } from '../progress.js';
import { withStoreOption } from './store-option.js';

const SEEDS = ['ecc2020'] as const;

/** `clusterconf seed ecc2020`: writes the example history through the conference service, once. */
export const registerSeedCommand = (program: Command, io: CliIo): void => {
  withStoreOption(
    program
      .command('seed')
      .description('write a known history into the store through the library\'s commands (only into a store without it)')
      .argument('<history>', `which history: ${SEEDS.join(', ')}`)
      .option('--seed <number>', 'seed of the generator for what the sources do not give', String(DEFAULT_SEED)),
  )
    .addHelpText('after', '\necc2020 is the European Cluster Conference 2020: 1,000 attendees from 52 countries, the agenda, the votes, the awards\n' +
      'and the European Cluster Alliance. The same seed writes identical events (ids included).\n' +
      'Example:\n  clusterconf seed ecc2020 --store sqlite:data/ecc2020.sqlite && clusterconf replay --store sqlite:data/ecc2020.sqlite')
    .action(async (history: string, options: { store?: string; seed: string }) => {
      if (!(SEEDS as readonly string[]).includes(history)) throw new UsageError(`Unknown history "${history}": choose one of ${SEEDS.join(', ')}`);
      const seed = Number(options.seed);
      if (!Number.isSafeInteger(seed) || seed < 0) throw new UsageError(`--seed "${options.seed}" is not a whole number ≥ 0; give e.g. --seed ${DEFAULT_SEED}`);
      const url = resolveStoreUrl(io, options.store);
      const startedAt = performance.now();
      await withEventStore(url, 'create', async (store) => {
        const state = await historyState(store);
        if (state === 'partial') throw new PartialHistoryError(url.display);
        if (state === 'complete') {
          const head = await store.headPosition();
          println(io.out, `${url.display} already holds the ECC 2020 history (head ${head === undefined ? '-' : formatPosition(head)}): nothing written`);
          return;
        }
        let progress: ReturnType<typeof createProgress> | undefined;
        try {
          const written = await writeEcc2020History(store, {
            seed,
            onStep: (done, total) => {
              progress ??= createProgress({ label: 'seed ecc2020', total });
              progress.update(done);
            },
          });
          progress?.stop();
          println(io.out, `seeded ecc2020 (seed ${seed}) into ${url.display}: ${written.commands} commands, ${written.events} events in ${seconds(startedAt)}`);
        } finally {
          progress?.stop();
        }
      });
    });
};
