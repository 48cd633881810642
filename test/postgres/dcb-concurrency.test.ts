import { afterEach, describe, expect, it } from 'vitest';
import type { PostgresEventStore } from '@clusterconf/adapters/postgres';
import { dropSchema, postgresAvailable, uniqueSchema } from '../support/postgres.js';
import { collectWorkload, expectWorkloadHeld, runDcbWriter, sumTallies } from '../support/dcb-workload.js';
import { openStore } from './fixtures.js';

describe.skipIf(!postgresAvailable)('PostgreSQL conditional appends under concurrency', () => {
  const schemas: string[] = [];
  const stores: PostgresEventStore[] = [];
  afterEach(async () => {
    for (const store of stores.splice(0)) await store.close();
    for (const schema of schemas.splice(0)) await dropSchema(schema);
  });

  it('8 writers × 500 conditional appends over two stores: no two conflicting appends both stored, no disjoint one refused, a live subscriber on a third sees every event once', async () => {
    const schema = uniqueSchema('dcb_race');
    schemas.push(schema);
    const writers = 8;
    const appendsPerWriter = 500;
    const prefix = 'dcb-';
    // Two stores, as two processes would have, each with a pool as large as its writers; the subscriber on a third.
    const [first, second, watcher] = [await openStore(schema, { poolSize: 4 }), await openStore(schema, { poolSize: 4 }), await openStore(schema, { pollIntervalMs: 100 })];
    stores.push(first, second, watcher);
    const subscription = watcher.subscribe({ pageSize: 200 });
    try {
      const tallies = await Promise.all(Array.from({ length: writers }, (_, w) => runDcbWriter(w % 2 === 0 ? first : second, prefix, `w${w}`, appendsPerWriter)));
      const tally = sumTallies(tallies);
      expect(tally.refused).toBeGreaterThan(0);
      const received = await collectWorkload(subscription, prefix, tally.disjoint + tally.numbered);
      await expectWorkloadHeld(first, prefix, tally, { writers, appendsPerWriter }, received);
    } finally {
      await subscription.close();
    }
  });
});
