import * as E from 'fp-ts/lib/Either.js';
import { describe, expect, it } from 'vitest';
import {
  builtInProjections, catchUpProjections, CONFERENCE_ID, exportEvents, generateHistory, issueHistoryStep, openStores, parseStoreUrl,
  writeEcc2020History, type OpenedStores,
} from '@clusterconf/cli';
import { createConferenceService, seededEventIds, type VoteConsistency } from '@clusterconf/domain';
import { formatReport, readReport } from '../../examples/ecc2020/report.js';

/** Writes the ECC 2020 history through a service with `consistency`, command ids seeded, so two runs write alike. */
const writeWith = async (stores: OpenedStores, consistency: VoteConsistency): Promise<void> => {
  const service = createConferenceService({ store: stores.events, consistency, cacheSize: 16 });
  const commandIds = seededEventIds(2020);
  for (const step of generateHistory()) {
    const result = await issueHistoryStep(service, step, { occurredAt: step.at, commandId: commandIds(new Date(step.at)) });
    if (E.isLeft(result)) throw new Error(`${step.kind} at ${step.at} refused: ${result.left.message}`);
  }
};

const reportOf = async (stores: OpenedStores): Promise<string[]> => {
  await catchUpProjections(stores, { projections: builtInProjections });
  return formatReport(await readReport(stores.readModels, CONFERENCE_ID));
};

const withStores = async <T>(use: (stores: OpenedStores) => Promise<T>): Promise<T> => {
  const stores = await openStores(parseStoreUrl('sqlite::memory:'), { mode: 'create' });
  try {
    return await use(stores);
  } finally {
    await stores.close();
  }
};

describe('the ECC 2020 history with votes guarded by streams and by DCB', () => {
  it('writes the same events either way, and builds the same report as the CLI\'s own history', async () => {
    const byStreams = await withStores(async (stores) => {
      await writeWith(stores, 'streams');
      return { export: await exportEvents(stores.events, () => undefined), report: await reportOf(stores) };
    });
    const byDcb = await withStores(async (stores) => {
      await writeWith(stores, 'dcb');
      return { export: await exportEvents(stores.events, () => undefined), report: await reportOf(stores) };
    });
    const reference = await withStores(async (stores) => {
      await writeEcc2020History(stores.events);
      return reportOf(stores);
    });
    // The same events, ids and tags included, line for line: the checksum covers every field of every event.
    expect(byDcb.export).toEqual(byStreams.export);
    expect(byDcb.report).toEqual(byStreams.report);
    expect(byDcb.report).toEqual(reference);
    expect(reference.join('\n')).toMatch(/European Cluster Manager of the Year: 3 shortlisted candidates, \d+ votes counted, 0 late/);
  });
});
