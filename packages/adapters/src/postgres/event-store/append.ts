import type { AppendCondition, AppendOptions, AppendResult, ExpectedRevision, NewEvent, SerializedEvent, StoredEventPlace } from '@clusterconf/domain';
import { AppendConditionFailedError, prepareAppend, prepareConditionalAppend, replayedAppend, WrongExpectedRevisionError } from '@clusterconf/domain';
import { eventIdCollisionError, isEventIdCollision } from './append-failure.js';
import { connectionFailure, isConnectionError } from './connection-errors.js';
import type { LockKeyring } from './lock-keys.js';
import { conditionParameters } from './query-parameters.js';
import type { AppendRow, StoredRow } from './statements.js';
import type { StoreQueries } from './store-queries.js';

const MAX_APPEND_ATTEMPTS = 3;

/** What one store's appends share: its queries, its lock keys, and the size limit of an event. */
export interface PostgresAppender {
  readonly queries: StoreQueries;
  readonly keyring: LockKeyring;
  readonly maxEventBytes: number;
}

/** `appendToStream`: the events at the stream's end when `options.expectedRevision` holds. */
export const appendToPostgres = (appender: PostgresAppender, streamId: string, events: readonly NewEvent[], options: AppendOptions): Promise<AppendResult> => {
  const { expectedRevision, events: serialized } = prepareAppend(streamId, events, options, appender.maxEventBytes);
  return runAppend(appender, streamId, serialized, expectedRevision, undefined);
};

/** `DcbEventStore.append`: the events at the stream's end when `condition` holds (always without one). */
export const appendIfToPostgres = (appender: PostgresAppender, streamId: string, events: readonly NewEvent[], condition: AppendCondition | undefined): Promise<AppendResult> => {
  const { condition: checked, events: serialized } = prepareConditionalAppend(streamId, events, condition, appender.maxEventBytes);
  return runAppend(appender, streamId, serialized, 'any', checked);
};

/**
 * Appends in one call of `append_events`, which takes the append's advisory locks (`LockKeyring`), locks the stream
 * row, checks the expected revision and the condition, and inserts the batch in one transaction. A conflict, a failed
 * condition, or event ids that are already stored, is first looked up as a retry of an append that succeeded
 * (answered with its original result); see `replayedAppend`.
 */
const runAppend = async (
  appender: PostgresAppender,
  streamId: string,
  serialized: readonly SerializedEvent[],
  expected: ExpectedRevision,
  condition: AppendCondition | undefined,
): Promise<AppendResult> => {
  const { queries } = appender;
  const locks = appender.keyring.locksOf(serialized, condition);
  const values = [
    streamId,
    typeof expected === 'bigint' ? expected.toString() : expected,
    serialized.map((e) => e.eventId),
    serialized.map((e) => e.type),
    serialized.map((e) => e.data),
    serialized.map((e) => e.metadata),
    serialized.flatMap((e) => e.tags),
    serialized.map((e) => e.tags.length),
    locks.keys.map((key) => key.toString()),
    locks.exclusive,
    ...conditionParameters(condition),
  ];
  for (let attempt = 1; ; attempt++) {
    try {
      const result = await queries.runAsIs<AppendRow>('append', queries.sql.append, values);
      const row = result.rows[0]!;
      if (row.outcome === 'conflict' || row.outcome === 'condition') {
        // Replay comes before the expectation and the condition, as in MemoryEventStore: a retry of a stored append
        // succeeds, though its own stored events now match its condition.
        const replay = await replayOf(queries, streamId, serialized);
        if (replay) return replay;
        if (row.outcome === 'condition') {
          throw new AppendConditionFailedError(streamId, condition!, { commit: BigInt(row.commit_id!), prepare: BigInt(row.seq!) });
        }
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
