/**
 * The EventStoreDB adapter beside the bare @eventstore/db-client doing the same calls in the same run, both against
 * the in-process gRPC TEST SERVER (test/eventstoredb/test-server), not against EventStoreDB: the figures measure the
 * adapter and the client (and the test server's share, equal on both sides), never EventStoreDB's own speed.
 * - appends of 1 event and of 100 events, each to a new stream with expectedRevision 'no_stream';
 * - readStream of one 10,000-event stream in calls of 1,000 events, the adapter's page (the floor reads the same
 *   pages by revision); readAll of 50,000 events in pages of 500 (the floor pages the same way, by position);
 * Floor and library run in seven alternating rounds (three left single appends of 100 events at the mercy of one busy
 * moment) and the row is the median round, so warm-up, GC and the machine's drift land on both alike. The issue's
 * target: the adapter's overhead over the bare client stays under 20% (ratio ≥ 0.83). BENCH_SCALE scales the counts.
 */
import { EventStoreDBClient, jsonEvent, type Position as ClientPosition, type ResolvedEvent } from '@eventstore/db-client';
import type { NewEvent } from '@clusterconf/domain';
import { EventStoreDBEventStore } from '@clusterconf/adapters/eventstoredb';
import { EventStoreDBTestServer } from '../../test/eventstoredb/test-server/index.js';
import { benchVote, medianRound, row, scaled, type BenchRow, type BenchSuite } from '../bench-row.js';

const count = scaled;
const singleAppends = count(2_000);
const batches = count(100);
const batchSize = 100;
const streamEvents = count(10_000);
const readAllEvents = count(50_000);
const pageSize = 500;
const target = 0.83;
const note = 'in-process gRPC TEST SERVER, not EventStoreDB: adapter + client cost only';

const vote = benchVote;

/** The bare client's form of the same event, as an application would write it without the library. */
const bare = (event: NewEvent) => jsonEvent({ id: event.metadata.eventId, type: event.type, data: event.data as never, metadata: event.metadata });

const ROUNDS = 7;

/** Floor and library in alternating rounds; the row is the median round (`medianRound`). */
const medianOfRounds = (floor: (round: number) => Promise<unknown>, library: (round: number) => Promise<unknown>) =>
  medianRound(ROUNDS, (round) => () => floor(round), (round) => () => library(round));

const suite: BenchSuite = {
  name: 'eventstoredb',
  async run() {
    const server = new EventStoreDBTestServer();
    await server.start();
    const client = EventStoreDBClient.connectionString(server.connectionString);
    const store = new EventStoreDBEventStore(client);
    const rows: BenchRow[] = [];
    try {
      // Warm-up: connection, server features, JIT on both paths.
      for (let i = 0; i < 50; i++) {
        await client.appendToStream(`warm-bare-${i}`, bare(vote(i)), { expectedRevision: 'no_stream' });
        await store.appendToStream(`warm-lib-${i}`, [vote(i)], { expectedRevision: 'no_stream' });
      }

      const singles = Array.from({ length: 2 * ROUNDS }, () => Array.from({ length: singleAppends }, (_, i) => vote(i)));
      const single = await medianOfRounds(
        async (round) => {
          for (const [i, event] of singles[round * 2]!.entries()) await client.appendToStream(`bare-${round}-${i}`, bare(event), { expectedRevision: 'no_stream' });
        },
        async (round) => {
          for (const [i, event] of singles[round * 2 + 1]!.entries()) await store.appendToStream(`lib-${round}-${i}`, [event], { expectedRevision: 'no_stream' });
        },
      );
      rows.push(row({ roundRatios: single.ratios, benchmark: 'append 1 event', backend: 'eventstoredb (test server)', events: singleAppends, seconds: single.library.seconds, floorSeconds: single.floor.seconds, peakRssMb: single.library.peakRssMb, target, note }));

      const batched = Array.from({ length: 2 * ROUNDS }, () => Array.from({ length: batches }, (_, b) => Array.from({ length: batchSize }, (_, i) => vote(b * batchSize + i))));
      const batch = await medianOfRounds(
        async (round) => {
          for (const [b, events] of batched[round * 2]!.entries()) await client.appendToStream(`bare-batch-${round}-${b}`, events.map(bare), { expectedRevision: 'no_stream' });
        },
        async (round) => {
          for (const [b, events] of batched[round * 2 + 1]!.entries()) await store.appendToStream(`lib-batch-${round}-${b}`, events, { expectedRevision: 'no_stream' });
        },
      );
      rows.push(row({ roundRatios: batch.ratios, benchmark: `append ${batchSize} events`, backend: 'eventstoredb (test server)', events: batches * batchSize, seconds: batch.library.seconds, floorSeconds: batch.floor.seconds, peakRssMb: batch.library.peakRssMb, target, note }));

      for (let i = 0; i < streamEvents; i += 1000) {
        await store.appendToStream('long-stream', Array.from({ length: Math.min(1000, streamEvents - i) }, (_, k) => vote(i + k)));
      }
      const readStream = await medianOfRounds(
        async () => {
          let n = 0;
          // The same calls the adapter makes: pages of 1,000 by revision, each read to its end.
          for (let from = 0n; from < BigInt(streamEvents); from += 1000n) {
            for await (const resolved of client.readStream('long-stream', { fromRevision: from, maxCount: 1000 })) if (resolved.event) n++;
          }
          if (n !== streamEvents) throw new Error(`bare readStream read ${n} of ${streamEvents}`);
        },
        async () => {
          let n = 0;
          for await (const event of store.readStream('long-stream')) if (event) n++;
          if (n !== streamEvents) throw new Error(`adapter readStream read ${n} of ${streamEvents}`);
        },
      );
      rows.push(row({
        roundRatios: readStream.ratios, benchmark: 'readStream', backend: 'eventstoredb (test server)', events: streamEvents, seconds: readStream.library.seconds,
        floorSeconds: readStream.floor.seconds, peakRssMb: readStream.library.peakRssMb, target,
        note: `${note}; both read 1,000-event pages (against one unpaged call the adapter measured about 0.8)`,
      }));

      const present = server.log.all.length;
      for (let i = present; i < readAllEvents; i += 1000) {
        await store.appendToStream(`fill-${i}`, Array.from({ length: Math.min(1000, readAllEvents - i) }, (_, k) => vote(i + k)));
      }
      const logSize = server.log.all.length;
      const readAll = await medianOfRounds(
        async () => {
          let n = 0;
          let from: ClientPosition | 'start' = 'start';
          for (;;) {
            let inPage = 0;
            const page: AsyncIterable<ResolvedEvent> = client.readAll({ fromPosition: from, maxCount: from === 'start' ? pageSize : pageSize + 1 });
            for await (const resolved of page) {
              const position: ClientPosition | undefined = resolved.event?.position;
              if (!position || (from !== 'start' && position.commit === from.commit && position.prepare === from.prepare)) continue;
              inPage++;
              n++;
              from = position;
            }
            if (inPage < pageSize) break;
          }
          if (n !== logSize) throw new Error(`bare readAll read ${n} of ${logSize}`);
        },
        async () => {
          let n = 0;
          for await (const event of store.readAll({ pageSize })) if (event) n++;
          if (n !== logSize) throw new Error(`adapter readAll read ${n} of ${logSize}`);
        },
      );
      rows.push(row({ roundRatios: readAll.ratios, benchmark: `readAll (pages of ${pageSize})`, backend: 'eventstoredb (test server)', events: logSize, seconds: readAll.library.seconds, floorSeconds: readAll.floor.seconds, peakRssMb: readAll.library.peakRssMb, target, note }));
    } finally {
      await store.close();
      await client.dispose();
      await server.stop();
    }
    return rows;
  },
};

export default suite;
