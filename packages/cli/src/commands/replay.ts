import type { Command } from 'commander';
import { formatPosition } from '@clusterconf/domain';
import type { Projection } from '@clusterconf/projections';
import { type CliIo, elapsedSeconds, println, seconds } from '../cli-io.js';
import { catchUpProjections } from '../catch-up.js';
import { type CommandContext, commandContext, printJson } from '../command-context.js';
import { withRevealedStore } from '../key-access.js';
import { findProjection } from '../projection-catalogue.js';
import { describeStatuses, statusesJson } from './status.js';
import { withStoreOption } from './store-option.js';

/** Which projections a run brings to the head, and which of them it empties first. */
interface Plan {
  readonly command: 'replay' | 'rebuild';
  readonly label: string;
  readonly select: (projections: readonly Projection[]) => { projections: readonly Projection[]; rebuild: readonly string[] };
}

const run = async (context: CommandContext, plan: Plan): Promise<void> => {
  const { io } = context;
  const { loaded, stores: access, keys } = await context.load();
  // An unknown projection is refused before any store is opened.
  const { projections, rebuild } = plan.select(loaded.config.projections);
  const startedAt = performance.now();
  const stores = await access.openStores('read');
  try {
    const head = await stores.events.headPosition();
    const progress = context.progress(plan.label, stores.positionUnit);
    progress.phase('projecting', head === undefined ? 0 : Number(head.prepare));
    // The projections read the log with its personal data opened, or Forgotten where its subject was forgotten.
    const result = await withRevealedStore(stores.events, loaded.config.registry, keys, (events) => catchUpProjections({ ...stores, events }, {
      registry: loaded.config.registry,
      projections,
      rebuild,
      onProgress: (done, total) => progress.update(done, total),
    })).finally(() => progress.stop());
    if (context.json) {
      printJson(io.out, {
        command: plan.command, store: stores.display, head: result.head === undefined ? null : formatPosition(result.head),
        rebuilt: rebuild, durableReadModels: stores.durableReadModels,
        seconds: elapsedSeconds(startedAt), projections: statusesJson(result.statuses),
      });
      return;
    }
    println(io.out, `${plan.label}: ${result.statuses.length} projection${result.statuses.length === 1 ? '' : 's'} at the head of ${stores.display} in ${seconds(startedAt)}` +
      (stores.durableReadModels ? '' : ' (read models kept in memory for this run only)'));
    for (const line of describeStatuses(result.statuses)) println(io.out, line);
  } finally {
    await stores.close();
  }
};

const JSON_SHAPE = 'print one JSON object: {command, store, head, rebuilt, durableReadModels, seconds, projections: [...]}';

/** `clusterconf replay`: brings every configured read model up to the head, from its checkpoint or from zero. */
export const registerReplayCommand = (program: Command, io: CliIo): void => {
  withStoreOption(
    program
      .command('replay')
      .description('replay the log into every configured read model up to the head (from their checkpoints)')
      .option('--from-scratch', 'empty every read model first and replay the whole log')
      .option('--json', JSON_SHAPE),
  )
    .addHelpText('after', '\nExample:\n  clusterconf replay --store sqlite:data/ecc2020.sqlite --from-scratch')
    .action(async (options: { fromScratch?: boolean }, command: Command) => {
      await run(commandContext(io, command), {
        command: 'replay',
        label: 'replay',
        select: (projections) => ({ projections, rebuild: options.fromScratch ? projections.map((p) => p.name) : [] }),
      });
    });
};

/** `clusterconf rebuild <projection>`: empties one read model and replays the whole log into it. */
export const registerRebuildCommand = (program: Command, io: CliIo): void => {
  withStoreOption(
    program
      .command('rebuild')
      .description('empty one read model and replay the whole log into it')
      .argument('<projection>', 'the name of a configured projection (`clusterconf status` lists them)')
      .option('--json', JSON_SHAPE),
  )
    .addHelpText('after', '\nExample:\n  clusterconf rebuild ballot_tallies --store sqlite:data/ecc2020.sqlite')
    .action(async (name: string, _options: unknown, command: Command) => {
      await run(commandContext(io, command), {
        command: 'rebuild',
        label: `rebuild ${name}`,
        select: (projections) => {
          const projection = findProjection(name, projections);
          return { projections: [projection], rebuild: [projection.name] };
        },
      });
    });
};
