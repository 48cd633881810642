import type { Command } from 'commander';
import { formatPosition, type Position } from '@clusterconf/domain';
import type { ProjectionStatus } from '@clusterconf/projections';
import { namespaceOf } from '@clusterconf/projections';
import { type CliIo, println, resolveStoreUrl } from '../cli-io.js';
import { openStores } from '../open-store.js';
import { builtInProjections } from '../projection-catalogue.js';
import { withStoreOption } from './store-option.js';

const show = (position: Position | undefined): string => (position === undefined ? '-' : formatPosition(position));

/** The lag column: events, `~` before an estimate, `?` when it could not be had. */
const showLag = (s: Pick<ProjectionStatus, 'lag' | 'lagIs'>): string => (s.lag === undefined ? '?' : `${s.lagIs === 'estimate' ? '~' : ''}${s.lag}`);

/** Table lines for projection statuses: name, version, position, head, lag. */
export const describeStatuses = (statuses: readonly Pick<ProjectionStatus, 'name' | 'version' | 'position' | 'headPosition' | 'lag' | 'lagIs'>[]): string[] => {
  const rows = statuses.map((s) => [s.name, `v${s.version}`, show(s.position), show(s.headPosition), showLag(s)]);
  const header = ['projection', 'version', 'position', 'head', 'lag'];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: readonly string[]) => cells.map((c, i) => c.padEnd(widths[i]!)).join('  ').trimEnd();
  return [line(header), ...rows.map(line)];
};

/** `clusterconf status`: each built-in projection's stored checkpoint and how far it lags the head. */
export const registerStatusCommand = (program: Command, io: CliIo): void => {
  withStoreOption(
    program
      .command('status')
      .description('show each projection\'s checkpoint position and its lag behind the head of the log'),
  )
    .addHelpText('after', '\nLag counts the events stored after the checkpoint; ~ marks an estimate (far behind), ? an unknown.\n' +
      'Example:\n  clusterconf status --store sqlite:data/ecc2020.sqlite')
    .action(async (options: { store?: string }) => {
      const url = resolveStoreUrl(io, options.store);
      const stores = await openStores(url, { mode: 'read' });
      try {
        const head = await stores.events.headPosition();
        const statuses = [];
        for (const projection of builtInProjections) {
          const version = (await stores.readModels.activeVersion(projection.name)) ?? projection.version;
          const position = await stores.readModels.loadCheckpoint(namespaceOf(projection.name, version));
          const progress = await stores.events.progressAfter(position);
          statuses.push({ name: projection.name, version, position, headPosition: head, lag: progress.eventsAfter, lagIs: progress.eventsAfterIs });
        }
        println(io.out, `${url.display}: head ${show(head)}${stores.durableReadModels ? '' : ' (read models are not stored for EventStoreDB: every replay starts from zero)'}`);
        for (const line of describeStatuses(statuses)) println(io.out, line);
      } finally {
        await stores.close();
      }
    });
};
