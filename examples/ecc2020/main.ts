// The ECC 2020 example (`npm start`): writes the history of the European Cluster Conference 2020 through the
// library's commands into embedded SQLite, builds the built-in read models, and prints a report read from them.
// A second run finds the history already stored and replays it instead of writing it again.
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { conferenceEvents } from '@clusterconf/domain';
import { MemoryKeyStore, withPersonalData } from '@clusterconf/adapters/personal-data';
import {
  CONFERENCE_ID, PartialHistoryError, builtInProjections, catchUpProjections, createProgress, describeError, historyState, keyAccess,
  lazyKeyStore, maskPassword, openStores, parseStoreUrl, writeEcc2020History,
} from '@clusterconf/cli';
import { formatReport, readReport } from './report.js';

const repoRoot = fileURLToPath(new URL('../../', import.meta.url));
/** Where `npm start` keeps its SQLite file; tests point it at a fresh temporary folder. */
const dataDir = resolve(process.env.CLUSTERCONF_DATA_DIR ?? resolve(repoRoot, 'data'));
/** Any store URL the CLI accepts; by default the SQLite file in the data folder. */
const storeText = process.env.CLUSTERCONF_STORE ?? `sqlite:${resolve(dataDir, 'ecc2020.sqlite')}`;
const storeUrl = parseStoreUrl(storeText);
/** The attendees' keys: CLUSTERCONF_KEYS, else beside the events (SQLite, PostgreSQL), else (EventStoreDB) in memory. */
const keys = keyAccess({ env: process.env, cwd: process.cwd() }, undefined, undefined, storeText);
const seed = process.env.CLUSTERCONF_SEED === undefined ? undefined : Number(process.env.CLUSTERCONF_SEED);

// A reader that stops early (`npm start | head`) closes the pipe: that ends the output, it is not an error.
process.stdout.on('error', (error: NodeJS.ErrnoException) => {
  if (error.code === 'EPIPE') process.exit(0);
  throw error;
});

const say = (line = '') => process.stdout.write(`${line}\n`);
const secondsSince = (start: number) => `${((performance.now() - start) / 1000).toFixed(1)} s`;

const countEvents = async (events: AsyncIterable<unknown>): Promise<number> => {
  let count = 0;
  for await (const _event of events) count++;
  return count;
};

const main = async (): Promise<void> => {
  const started = performance.now();
  say(`European Cluster Conference 2020, event-sourced with @clusterconf (store: ${storeUrl.display})`);
  const opened = await openStores(storeUrl, { mode: 'create' });
  if (keys.display === undefined) say('No key store beside EventStoreDB: the attendees\' names are sealed under keys kept in memory for this run (set CLUSTERCONF_KEYS to keep them)');
  const keyStore = keys.display === undefined ? new MemoryKeyStore() : lazyKeyStore(() => keys.open(opened.events));
  // The names are sealed on the way in and opened on the way out (Forgotten where an attendee was forgotten).
  const stores = { ...opened, events: withPersonalData(opened.events, { keyStore, registry: conferenceEvents }) };
  try {
    const state = await historyState(stores.events);
    if (state === 'partial') throw new PartialHistoryError(storeUrl.display);
    let rebuild: string[] = [];
    if (state === 'empty') {
      say('No history stored yet: writing it through the conference commands and deciders');
      let progress: ReturnType<typeof createProgress> | undefined;
      const written = await writeEcc2020History(stores.events, {
        ...(seed === undefined ? {} : { seed }),
        onStep: (done, total) => {
          progress ??= createProgress({ label: 'writing history', total, stream: process.stdout });
          progress.update(done);
        },
      }).finally(() => progress?.stop());
      say(`Wrote ${written.events} events from ${written.commands} commands in ${secondsSince(started)}`);
    } else {
      const stored = await countEvents(stores.events.readAll({ pageSize: 1000 }));
      say(`History already stored (${stored} events): replaying it into the read models, writing nothing`);
      rebuild = builtInProjections.map((projection) => projection.name);
    }
    const replayStarted = performance.now();
    const head = await stores.events.headPosition();
    const progress = createProgress({
      label: 'projecting', total: head === undefined ? 0 : Number(head.prepare), stream: process.stdout,
      // Progress counts log positions: events on SQL stores, bytes of the log on EventStoreDB.
      unit: storeUrl.kind === 'esdb' ? 'log bytes' : 'events',
    });
    const result = await catchUpProjections(stores, {
      projections: builtInProjections,
      rebuild,
      onProgress: (done, total) => progress.update(done, total),
    }).finally(() => progress.stop());
    say(`Projected ${result.statuses.length} read models up to the head in ${secondsSince(replayStarted)}`);
    say();
    for (const line of formatReport(await readReport(stores.readModels, CONFERENCE_ID))) say(line);
    say();
    say('Not in the sources, so generated from a fixed seed or marked as placeholders: attendee names, the country split');
    say('(which 52 countries), registration and vote times, the vote counts, the two other shortlisted candidates,');
    say('the 13 earlier alliance members, and the chair of the sessions after the opening.');
    say(`Done in ${secondsSince(started)}.`);
  } finally {
    await keyStore.close();
    await stores.close();
  }
};

try {
  await main();
} catch (error) {
  process.stderr.write(`ecc2020: ${maskPassword(describeError(error))}\n`);
  if (process.env.CLUSTERCONF_VERBOSE && error instanceof Error) process.stderr.write(`${error.stack}\n`);
  process.exitCode = 1;
}
// Every store is closed by now; a client library may still hold a socket open for a while (the gRPC channel of
// EventStoreDB did in tests), so leave once output is flushed instead of waiting for it.
setTimeout(() => process.exit(), 100).unref();
