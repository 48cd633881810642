import type { Command } from 'commander';
import type { ConferenceEvent } from '@clusterconf/domain';
import type { Projection } from '@clusterconf/projections';
import { type CliIo, println, resolveStoreUrl, seconds } from '../cli-io.js';
import { catchUpProjections } from '../catch-up.js';
import { openStores } from '../open-store.js';
import { builtInProjections, findProjection } from '../projection-catalogue.js';
import { createProgress } from '../progress.js';
import { describeStatuses } from './status.js';
import { withStoreOption } from './store-option.js';

const run = async (
  io: CliIo,
  storeOption: string | undefined,
  projections: readonly Projection<ConferenceEvent>[],
  rebuild: readonly string[],
  label: string,
): Promise<void> => {
  const url = resolveStoreUrl(io, storeOption);
  const startedAt = performance.now();
  const stores = await openStores(url, { mode: 'read' });
  try {
    const head = await stores.events.headPosition();
    // Progress counts log positions: events on SQL stores, bytes of the log on EventStoreDB.
    const progress = createProgress({ label, total: head === undefined ? 0 : Number(head.prepare), unit: url.kind === 'esdb' ? 'log bytes' : 'events' });
    const result = await catchUpProjections(stores, {
      projections,
      rebuild,
      onProgress: (done, total) => progress.update(done, total),
    }).finally(() => progress.stop());
    println(io.out, `${label}: ${result.statuses.length} projection${result.statuses.length === 1 ? '' : 's'} at the head of ${url.display} in ${seconds(startedAt)}` +
      (stores.durableReadModels ? '' : ' (read models kept in memory for this run only)'));
    for (const line of describeStatuses(result.statuses)) println(io.out, line);
  } finally {
    await stores.close();
  }
};

/** `clusterconf replay`: brings every built-in read model up to the head, from its checkpoint or from zero. */
export const registerReplayCommand = (program: Command, io: CliIo): void => {
  withStoreOption(
    program
      .command('replay')
      .description('replay the log into every built-in read model up to the head (from their checkpoints)')
      .option('--from-scratch', 'empty every read model first and replay the whole log'),
  )
    .addHelpText('after', '\nExample:\n  clusterconf replay --store sqlite:data/ecc2020.sqlite --from-scratch')
    .action(async (options: { store?: string; fromScratch?: boolean }) => {
      await run(io, options.store, builtInProjections, options.fromScratch ? builtInProjections.map((p) => p.name) : [], 'replay');
    });
};

/** `clusterconf rebuild <projection>`: empties one read model and replays the whole log into it. */
export const registerRebuildCommand = (program: Command, io: CliIo): void => {
  withStoreOption(
    program
      .command('rebuild')
      .description('empty one read model and replay the whole log into it')
      .argument('<projection>', `one of ${builtInProjections.map((p) => p.name).join(', ')}`),
  )
    .addHelpText('after', '\nExample:\n  clusterconf rebuild ballot_tallies --store sqlite:data/ecc2020.sqlite')
    .action(async (name: string, options: { store?: string }) => {
      const projection = findProjection(name);
      await run(io, options.store, [projection], [projection.name], `rebuild ${projection.name}`);
    });
};
