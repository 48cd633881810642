import { describe, expect, it } from 'vitest';
import type { BatchCommit, DeadLetter } from '@clusterconf/projections';
import { fromDeadLetterRows, toBatchRows, toDeadLetterRow } from './batch-rows.js';
import { ownedTables, quoteIdentifier } from './owned-tables.js';
import { InvalidDocumentError } from './read-model-errors.js';

const batch = (changes: BatchCommit['changes']): BatchCommit => ({
  namespace: 'talks_v1', changes, statements: [], deadLetters: [], removeDeadLetters: [], checkpoint: undefined, expectedCheckpoint: undefined,
});

describe('toBatchRows', () => {
  it('keeps the last change per key, in the order keys were last changed', () => {
    const rows = toBatchRows(batch([
      { kind: 'upsert', collection: 'c', id: 'a', document: { v: 1 } },
      { kind: 'upsert', collection: 'c', id: 'b', document: { v: 1 } },
      { kind: 'delete', collection: 'c', id: 'a' },
      { kind: 'upsert', collection: 'd', id: 'a', document: { v: 2 } },
      { kind: 'upsert', collection: 'c', id: 'b', document: { v: 3 } },
    ]));
    expect(rows).toEqual({
      upserts: [{ collection: 'd', id: 'a', body: '{"v":2}' }, { collection: 'c', id: 'b', body: '{"v":3}' }],
      deletes: [{ collection: 'c', id: 'a' }],
    });
  });

  it('refuses documents that are not JSON objects, naming the document', () => {
    for (const document of [{ n: 1n }, [1, 2], null]) {
      const attempt = () => toBatchRows(batch([{ kind: 'upsert', collection: 'c', id: 'bad', document: document as never }]));
      expect(attempt).toThrow(InvalidDocumentError);
      expect(attempt).toThrow(/"bad" in collection "c" \(namespace talks_v1\)/);
    }
  });
});

describe('dead-letter rows', () => {
  it('round-trip and come back in position order, not text order', () => {
    const letter = (prepare: bigint): DeadLetter => ({
      namespace: 'talks_v1',
      event: {
        streamId: 's', streamRevision: 3n, position: { commit: prepare, prepare }, type: 'T', data: { x: [1] },
        metadata: { eventId: 'e', occurredAt: 'o', correlationId: 'c', causationId: 'k', schemaVersion: 2 },
      },
      errorCode: 'X', errorMessage: 'm', recordedAt: 'r',
    });
    const rows = [letter(10n), letter(9n), letter(100n)].map(toDeadLetterRow);
    expect(fromDeadLetterRows('talks_v1', rows)).toEqual([letter(9n), letter(10n), letter(100n)]);
  });
});

describe('ownedTables', () => {
  it('picks the namespace\'s tables and leaves those of longer namespaces sharing its prefix', () => {
    const tables = ['talks_v1_counts', 'talks_v10_counts', 'talks_v1_by_day_v1_rows', 'talks_v1', 'read_model_documents', 'talks_v1_x'];
    expect(ownedTables('talks_v1', tables, ['talks_v1', 'talks_v10', 'talks_v1_by_day_v1'])).toEqual(['talks_v1_counts', 'talks_v1_x']);
  });

  it('quotes identifiers, doubling quotes', () => {
    expect(quoteIdentifier('a"b')).toBe('"a""b"');
  });
});
