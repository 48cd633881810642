import type { Command } from 'commander';
import { formatPosition, type Position } from '@clusterconf/domain';
import type { ProjectionStatus } from '@clusterconf/projections';
import { namespaceOf } from '@clusterconf/projections';
import { type CliIo, println } from '../cli-io.js';
import { commandContext, printJson } from '../command-context.js';
import { withStoreOption } from './store-option.js';

/** What `status`, `replay` and `rebuild` report per projection. */
export type StatusRow = Pick<ProjectionStatus, 'name' | 'version' | 'position' | 'headPosition' | 'lag' | 'lagIs'>;

const show = (position: Position | undefined): string => (position === undefined ? '-' : formatPosition(position));

/** The lag column: events, `~` before an estimate, `?` when it could not be had. */
const showLag = (s: Pick<ProjectionStatus, 'lag' | 'lagIs'>): string => (s.lag === undefined ? '?' : `${s.lagIs === 'estimate' ? '~' : ''}${s.lag}`);

/** Table lines for projection statuses: name, version, position, head, lag. */
export const describeStatuses = (statuses: readonly StatusRow[]): string[] => {
  const rows = statuses.map((s) => [s.name, `v${s.version}`, show(s.position), show(s.headPosition), showLag(s)]);
  const header = ['projection', 'version', 'position', 'head', 'lag'];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: readonly string[]) => cells.map((c, i) => c.padEnd(widths[i]!)).join('  ').trimEnd();
  return [line(header), ...rows.map(line)];
};

/** The JSON of projection statuses: positions as `formatPosition` text (or null), lag in events (null when unknown). */
export const statusesJson = (statuses: readonly StatusRow[]) =>
  statuses.map((s) => ({
    name: s.name,
    version: s.version,
    position: s.position === undefined ? null : formatPosition(s.position),
    head: s.headPosition === undefined ? null : formatPosition(s.headPosition),
    lag: s.lag ?? null,
    lagIs: s.lagIs,
  }));

/** `clusterconf status`: each configured projection's stored checkpoint and how far it lags the head. */
export const registerStatusCommand = (program: Command, io: CliIo): void => {
  withStoreOption(
    program
      .command('status')
      .description('show each projection\'s checkpoint position and its lag behind the head of the log')
      .option('--json', 'print one JSON object: {store, head, durableReadModels, projections: [{name, version, position, head, lag, lagIs}]}'),
  )
    .addHelpText('after', '\nLag counts the events stored after the checkpoint; ~ marks an estimate (far behind), ? an unknown.\n' +
      'Example:\n  clusterconf status --store sqlite:data/ecc2020.sqlite')
    .action(async (_options: unknown, command: Command) => {
      const context = commandContext(io, command);
      const { loaded, stores: access } = await context.load();
      const stores = await access.openStores('read');
      try {
        const head = await stores.events.headPosition();
        const statuses: StatusRow[] = [];
        for (const projection of loaded.config.projections) {
          const version = (await stores.readModels.activeVersion(projection.name)) ?? projection.version;
          const position = await stores.readModels.loadCheckpoint(namespaceOf(projection.name, version));
          const progress = await stores.events.progressAfter(position);
          statuses.push({ name: projection.name, version, position, headPosition: head, lag: progress.eventsAfter, lagIs: progress.eventsAfterIs });
        }
        if (context.json) {
          printJson(io.out, { store: stores.display, head: head === undefined ? null : formatPosition(head), durableReadModels: stores.durableReadModels, projections: statusesJson(statuses) });
          return;
        }
        println(io.out, `${stores.display}: head ${show(head)}${stores.durableReadModels ? '' : ' (read models are kept in memory for each run only: every replay starts from zero)'}`);
        for (const line of describeStatuses(statuses)) println(io.out, line);
      } finally {
        await stores.close();
      }
    });
};
