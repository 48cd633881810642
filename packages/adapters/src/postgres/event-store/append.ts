import type { AppendOptions, AppendResult, NewEvent, SerializedEvent, StoredEventPlace } from '@clusterconf/domain';
import { prepareAppend, replayedAppend, WrongExpectedRevisionError } from '@clusterconf/domain';
import { eventIdCollisionError, isEventIdCollision } from './append-failure.js';
import { connectionFailure, isConnectionError } from './connection-errors.js';
import type { AppendRow, StoredRow } from './statements.js';
import type { StoreQueries } from './store-queries.js';

const MAX_APPEND_ATTEMPTS = 3;

/**
 * Appends `events` to a stream in one call of `append_events`, which locks the stream row, checks the expected
 * revision and inserts the batch in one transaction. A conflict, or event ids that are already stored, is first
 * looked up as a retry of an append that succeeded (answered with its original result); see `replayedAppend`.
 */
export const appendToPostgres = async (
  queries: StoreQueries,
  streamId: string,
  events: readonly NewEvent[],
  options: AppendOptions,
  maxEventBytes: number,
): Promise<AppendResult> => {
  const { expectedRevision: expected, events: serialized } = prepareAppend(streamId, events, options, maxEventBytes);
  const values = [
    streamId,
    typeof expected === 'bigint' ? expected.toString() : expected,
    serialized.map((e) => e.eventId),
    serialized.map((e) => e.type),
    serialized.map((e) => e.data),
    serialized.map((e) => e.metadata),
    serialized.flatMap((e) => e.tags),
    serialized.map((e) => e.tags.length),
  ];
  for (let attempt = 1; ; attempt++) {
    try {
      const result = await queries.runAsIs<AppendRow>('append', queries.sql.append, values);
      const row = result.rows[0]!;
      if (row.outcome === 'conflict') {
        // Replay comes before the expectation, as in MemoryEventStore: a retry of a stored append succeeds.
        const replay = await replayOf(queries, streamId, serialized);
        if (replay) return replay;
        throw new WrongExpectedRevisionError(streamId, expected, row.stream_revision === null ? undefined : BigInt(row.stream_revision));
      }
      return { nextExpectedRevision: BigInt(row.stream_revision!), position: { commit: BigInt(row.commit_id!), prepare: BigInt(row.seq!) } };
    } catch (error) {
      const { code } = error as { code?: string };
      if (isEventIdCollision(error)) {
        // Ids already stored: a retry of that append (answered with its result) or a clash (InvalidEventError).
        if (code === '23505') {
          const replay = await replayOf(queries, streamId, serialized);
          if (replay) return replay;
        }
        // A deadlock, or a row that is gone again: the other append has ended by now, so a retry settles it.
        if (attempt < MAX_APPEND_ATTEMPTS) continue;
        throw eventIdCollisionError(streamId, serialized, error);
      }
      // A stream's first appends meet on the (stream_id, stream_revision) key rather than on the stream lock; the
      // retry sees the winner's row and checks the expectation against it.
      if (code === '23505' && attempt < MAX_APPEND_ATTEMPTS) continue;
      // Whether a commit whose connection broke went through is unknown; retrying with the same eventIds is safe.
      throw isConnectionError(error) ? connectionFailure(error, queries.pool.options) : error;
    }
  }
};

/** The original result when these events are already stored; throws when their ids are stored elsewhere. */
const replayOf = async (queries: StoreQueries, streamId: string, serialized: readonly SerializedEvent[]): Promise<AppendResult | undefined> => {
  const result = await queries.run<StoredRow>('stored', queries.sql.stored, [serialized.map((e) => e.eventId)]);
  return replayedAppend(streamId, serialized, storedPlaces(serialized, result.rows));
};

/** Where each event's id is stored, from the rows the stored-ids query found (ids compare in PostgreSQL's lower case). */
const storedPlaces = (serialized: readonly SerializedEvent[], rows: readonly StoredRow[]): (StoredEventPlace | undefined)[] => {
  const byId = new Map(rows.map((row) => [row.event_id, row]));
  return serialized.map(({ eventId }) => {
    const row = byId.get(eventId.toLowerCase());
    return row && {
      eventId,
      type: row.type,
      streamId: row.stream_id,
      streamRevision: BigInt(row.stream_revision),
      position: { commit: BigInt(row.commit_id), prepare: BigInt(row.seq) },
    };
  });
};
