import { comparePositions, formatPosition, parsePosition } from '@clusterconf/domain';
import type { BatchCommit, DeadLetter } from '@clusterconf/projections';
import { InvalidDocumentError } from './read-model-errors.js';

/** A batch's document changes as SQL rows: upserts with their JSON text, deletes by key. */
export interface BatchRows {
  readonly upserts: { readonly collection: string; readonly id: string; readonly body: string }[];
  readonly deletes: { readonly collection: string; readonly id: string }[];
}

/**
 * Serialises a batch's documents before any SQL runs, so a document that is not JSON fails the batch with nothing
 * written. The port allows one change per key; should a caller send more, the last wins, as it would in memory,
 * and no multi-row statement ever meets one key twice.
 */
export const toBatchRows = (batch: BatchCommit): BatchRows => {
  const last = new Map<string, BatchCommit['changes'][number]>();
  for (const change of batch.changes) {
    const key = `${change.collection}\u0000${change.id}`;
    last.delete(key);
    last.set(key, change);
  }
  const upserts: BatchRows['upserts'] = [];
  const deletes: BatchRows['deletes'] = [];
  for (const change of last.values()) {
    if (change.kind === 'delete') {
      deletes.push({ collection: change.collection, id: change.id });
      continue;
    }
    let body: string | undefined;
    try {
      body = JSON.stringify(change.document);
    } catch (cause) {
      throw new InvalidDocumentError(batch.namespace, change.collection, change.id, { cause });
    }
    if (typeof body !== 'string' || !body.startsWith('{')) {
      throw new InvalidDocumentError(batch.namespace, change.collection, change.id, { cause: new TypeError('a document must be a JSON object') });
    }
    upserts.push({ collection: change.collection, id: change.id, body });
  }
  return { upserts, deletes };
};

/** A dead letter as one SQL row; event data and metadata as JSON text, revision and position as text. */
export interface DeadLetterRow {
  readonly position: string;
  readonly stream_id: string;
  readonly stream_revision: string;
  readonly event_type: string;
  readonly data: string;
  readonly metadata: string;
  readonly error_code: string;
  readonly error_message: string;
  readonly recorded_at: string;
}

/** Flattens a dead letter into its row. */
export const toDeadLetterRow = (deadLetter: DeadLetter): DeadLetterRow => ({
  position: formatPosition(deadLetter.event.position),
  stream_id: deadLetter.event.streamId,
  stream_revision: deadLetter.event.streamRevision.toString(),
  event_type: deadLetter.event.type,
  data: JSON.stringify(deadLetter.event.data) ?? 'null',
  metadata: JSON.stringify(deadLetter.event.metadata),
  error_code: deadLetter.errorCode,
  error_message: deadLetter.errorMessage,
  recorded_at: deadLetter.recordedAt,
});

/** Rebuilds dead letters from rows and orders them by position (text does not sort like positions do). */
export const fromDeadLetterRows = (namespace: string, rows: readonly DeadLetterRow[]): DeadLetter[] =>
  rows
    .map(
      (row): DeadLetter => ({
        namespace,
        event: {
          streamId: row.stream_id,
          streamRevision: BigInt(row.stream_revision),
          position: parsePosition(row.position),
          type: row.event_type,
          data: JSON.parse(row.data) as unknown,
          metadata: JSON.parse(row.metadata) as DeadLetter['event']['metadata'],
        },
        errorCode: row.error_code,
        errorMessage: row.error_message,
        recordedAt: row.recorded_at,
      }),
    )
    .sort((a, b) => comparePositions(a.event.position, b.event.position));
