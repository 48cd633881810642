// Runs the conference HTTP service on SQLite: the log, the read models and the attendees' keys share one file.
//   CLUSTERCONF_HTTP_DB   the SQLite file (default ./data/http-service.sqlite)
//   PORT, HOST            where to listen (default 3000 on 127.0.0.1; PORT=0 picks a free port)
//   LOG_LEVEL             the request log's level, JSON lines on stdout (default info; silent turns it off)
import { mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { SqliteEventStore, SqliteKeyStore, SqliteReadModelStore } from '@clusterconf/adapters/sqlite';
import { createConferenceHttpService } from './conference-http-service.js';

const path = resolve(process.env['CLUSTERCONF_HTTP_DB'] ?? 'data/http-service.sqlite');
const portText = process.env['PORT'] ?? '3000';
const port = /^\d{1,5}$/.test(portText) ? Number(portText) : NaN;
if (!(port >= 0 && port <= 65535)) {
  console.error(`PORT is "${portText}", which is not a TCP port; use a number from 0 to 65535`);
  process.exit(2);
}
const host = process.env['HOST'] ?? '127.0.0.1';

mkdirSync(dirname(path), { recursive: true });
const eventStore = await SqliteEventStore.open({ path });
const readModelStore = await SqliteReadModelStore.open({ database: eventStore.database });
// The attendees' keys in their own tables of the same file; open it on another path to keep them apart from the log.
const keyStore = await SqliteKeyStore.open({ database: eventStore.database });
const service = createConferenceHttpService({ eventStore, readModelStore, keyStore, logger: { level: process.env['LOG_LEVEL'] ?? 'info' } });
const url = await service.listen(port, host);
console.log(`conference HTTP service on ${url} (SQLite ${path}); Ctrl-C stops it`);

let stopping = false;
const stop = async (signal: string): Promise<void> => {
  if (stopping) return;
  stopping = true;
  console.log(`${signal}: no new requests; ending live streams, stopping the projections, finishing requests in flight`);
  await service.close();
  // Only once nothing in flight can touch them.
  await readModelStore.close();
  await keyStore.close();
  await eventStore.close();
  console.log('stopped');
};
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    stop(signal).then(
      () => process.exit(0),
      (error: unknown) => {
        console.error(error);
        process.exit(1);
      },
    );
  });
}
