import { describe, expect, it } from 'vitest';
import { dropSchema, postgresAvailable, uniqueSchema } from '../support/postgres.js';
import { runVoteStorm } from '../support/vote-storm.js';
import { openStore } from './fixtures.js';

describe.skipIf(!postgresAvailable)('the conference model on DCB, on PostgreSQL', () => {
  it('a 1,000-voter storm with 200 repeat votes and the close in the middle: exactly the votes before the close are stored, none after it, one per person', async () => {
    const schema = uniqueSchema('storm');
    const store = await openStore(schema, { poolSize: 16 });
    try {
      const counts = await runVoteStorm(store, { voters: 1000, repeats: 200, concurrency: 16 });
      expect(counts.stored + counts.repeat + counts['already-voted'] + counts.closed).toBe(1200);
    } finally {
      await store.close();
      await dropSchema(schema);
    }
  });
});
