/**
 * The storage model of the EventStoreDB TEST SERVER (not a product, not EventStoreDB): one in-memory log with
 * EventStoreDB's semantics for what the adapter relies on. Positions are byte-ish offsets that grow with each
 * record, as EventStoreDB's transaction-file positions do. Each append is written as a transaction: every event
 * gets its own prepare position, and all share the commit position of the commit record written after them, so
 * commit and prepare differ and `$all` order is (commit, prepare), as in EventStoreDB's log.
 */

/** A position in the test server's `$all`. */
export interface LogPosition {
  readonly commit: bigint;
  readonly prepare: bigint;
}

/** One stored record. */
export interface StoredRecord {
  readonly id: string;
  readonly streamId: string;
  readonly revision: bigint;
  readonly position: LogPosition;
  readonly type: string;
  readonly contentType: string;
  readonly data: Uint8Array;
  readonly customMetadata: Uint8Array;
  /** .NET ticks, as EventStoreDB reports `created`. */
  readonly created: bigint;
}

/** An event proposed by an append. */
export interface ProposedRecord {
  readonly id: string;
  readonly type: string;
  readonly contentType: string;
  readonly data: Uint8Array;
  readonly customMetadata: Uint8Array;
}

/** The append precondition as the wire carries it. */
export type WireExpected = { readonly kind: 'any' } | { readonly kind: 'no_stream' } | { readonly kind: 'stream_exists' } | { readonly kind: 'revision'; readonly revision: bigint };

/** Why an operation on a stream was refused. */
export type LogFailure =
  | { readonly kind: 'wrong_expected_version'; readonly expected: WireExpected; readonly current: bigint | undefined }
  | { readonly kind: 'stream_deleted' };

/** The outcome of an append. */
export type AppendOutcome =
  | { readonly ok: true; readonly revision: bigint; readonly position: LogPosition }
  | { readonly ok: false; readonly failure: LogFailure };

interface StreamState {
  readonly records: StoredRecord[];
  /** Soft delete (EventStoreDB's `$tb` truncate-before): revisions below it are hidden; the stream may be written again. */
  truncateBefore: bigint;
  tombstoned: boolean;
}

const TICKS_AT_UNIX_EPOCH = 621_355_968_000_000_000n;
const RECORD_OVERHEAD = 88n;
const COMMIT_RECORD_SIZE = 37n;

/** Compares two log positions. */
export const compareLogPositions = (a: LogPosition, b: LogPosition): number =>
  a.commit < b.commit ? -1 : a.commit > b.commit ? 1 : a.prepare < b.prepare ? -1 : a.prepare > b.prepare ? 1 : 0;

/** The in-memory log of the test server; survives the server's stop and restart. */
export class InMemoryLog {
  readonly all: StoredRecord[] = [];
  readonly #streams = new Map<string, StreamState>();
  readonly #listeners = new Set<() => void>();
  #nextOffset = 0n;

  /** The stream's last revision, counting soft-deleted events, or undefined when it never had an event. */
  lastRevision(streamId: string): bigint | undefined {
    const stream = this.#streams.get(streamId);
    const last = stream?.records[stream.records.length - 1];
    return last?.revision;
  }

  /** The revision the append checks compare with: undefined when the stream is empty or soft-deleted. */
  #visibleRevision(stream: StreamState | undefined): bigint | undefined {
    if (!stream) return undefined;
    const last = stream.records[stream.records.length - 1];
    return last === undefined || last.revision < stream.truncateBefore ? undefined : last.revision;
  }

  /** Appends all or nothing with EventStoreDB's expected-version and idempotency rules. */
  append(streamId: string, expected: WireExpected, proposed: readonly ProposedRecord[]): AppendOutcome {
    const stream = this.#streams.get(streamId);
    if (stream?.tombstoned) return { ok: false, failure: { kind: 'stream_deleted' } };
    const current = this.#visibleRevision(stream);

    const replay = this.#idempotentReplay(stream, expected, proposed);
    if (replay) return replay;

    const holds =
      expected.kind === 'any' ||
      (expected.kind === 'no_stream' && current === undefined) ||
      (expected.kind === 'stream_exists' && current !== undefined) ||
      (expected.kind === 'revision' && current === expected.revision);
    if (!holds) return { ok: false, failure: { kind: 'wrong_expected_version', expected, current } };
    if (proposed.length === 0) {
      const last = stream?.records[stream.records.length - 1];
      return { ok: true, revision: current ?? -1n, position: last?.position ?? { commit: this.#nextOffset, prepare: this.#nextOffset } };
    }
    const target = stream ?? { records: [], truncateBefore: 0n, tombstoned: false };
    this.#streams.set(streamId, target);
    const written = this.#write(target, streamId, proposed);
    this.#notify();
    const last = written[written.length - 1]!;
    return { ok: true, revision: last.revision, position: last.position };
  }

  /**
   * EventStoreDB's idempotency check: when the first proposed id is already in the stream, the append is a retry.
   * If every id follows in order where the precondition puts it, the append succeeds without writing; if only some
   * do ("corrupted idempotency"), EventStoreDB answers with a wrong expected version. Ids stored in other streams
   * do not count: EventStoreDB keeps event ids unique per stream only.
   */
  #idempotentReplay(stream: StreamState | undefined, expected: WireExpected, proposed: readonly ProposedRecord[]): AppendOutcome | undefined {
    if (!stream || proposed.length === 0) return undefined;
    const first = stream.records.findIndex((record) => record.id === proposed[0]!.id);
    if (first < 0) return undefined;
    const start = stream.records[first]!.revision;
    const fits =
      expected.kind === 'any' ||
      expected.kind === 'stream_exists' ||
      (expected.kind === 'no_stream' && start === 0n) ||
      (expected.kind === 'revision' && expected.revision === start - 1n);
    if (!fits) return undefined;
    const matches = proposed.every((record, index) => stream.records[first + index]?.id === record.id);
    if (!matches) {
      return { ok: false, failure: { kind: 'wrong_expected_version', expected, current: this.#visibleRevision(stream) } };
    }
    const last = stream.records[first + proposed.length - 1]!;
    return { ok: true, revision: last.revision, position: last.position };
  }

  /** Overwrites a stored event's data bytes in place, for tests of unreadable events (a test-server-only hook). */
  overwriteData(streamId: string, revision: bigint, data: Uint8Array): void {
    const stream = this.#streams.get(streamId);
    const index = stream?.records.findIndex((record) => record.revision === revision) ?? -1;
    if (!stream || index < 0) throw new Error(`The test server has no event at stream "${streamId}" revision ${revision}`);
    const replaced = { ...stream.records[index]!, data };
    stream.records[index] = replaced;
    const inAll = this.all.findIndex((record) => record.streamId === streamId && record.revision === revision);
    this.all[inAll] = replaced;
  }

  /** Writes one transaction: a prepare record per event, then a commit record whose offset every event carries. */
  #write(stream: StreamState, streamId: string, proposed: readonly ProposedRecord[]): StoredRecord[] {
    const prepares = proposed.map((record) => {
      const offset = this.#nextOffset;
      this.#nextOffset += RECORD_OVERHEAD + BigInt(record.data.length + record.customMetadata.length + streamId.length + record.type.length);
      return offset;
    });
    const commit = this.#nextOffset;
    this.#nextOffset += COMMIT_RECORD_SIZE;
    const created = BigInt(Date.now()) * 10_000n + TICKS_AT_UNIX_EPOCH;
    return proposed.map((record, index) => {
      const previous = stream.records[stream.records.length - 1];
      const stored: StoredRecord = {
        ...record,
        streamId,
        revision: previous === undefined ? 0n : previous.revision + 1n,
        position: { commit, prepare: prepares[index]! },
        created,
      };
      stream.records.push(stored);
      this.all.push(stored);
      return stored;
    });
  }

  /** Soft delete: the stream reads as not found until written again; its events stay in `$all`, as before a scavenge. */
  delete(streamId: string, expected: WireExpected): AppendOutcome {
    const outcome = this.#checkDeletable(streamId, expected);
    if (outcome) return outcome;
    const stream = this.#streams.get(streamId)!;
    stream.truncateBefore = stream.records[stream.records.length - 1]!.revision + 1n;
    return this.#systemRecord(`$$${streamId}`, '$metadata', { $tb: Number(stream.truncateBefore) });
  }

  /** Hard delete: reads and writes of the stream fail with stream-deleted from now on. */
  tombstone(streamId: string, expected: WireExpected): AppendOutcome {
    const outcome = this.#checkDeletable(streamId, expected);
    if (outcome) return outcome;
    const stream = this.#streams.get(streamId)!;
    stream.tombstoned = true;
    return this.#systemRecord(streamId, '$streamDeleted', {}, stream);
  }

  #checkDeletable(streamId: string, expected: WireExpected): AppendOutcome | undefined {
    const stream = this.#streams.get(streamId);
    if (stream?.tombstoned) return { ok: false, failure: { kind: 'stream_deleted' } };
    const current = this.#visibleRevision(stream);
    const holds =
      (expected.kind === 'any' && current !== undefined) ||
      (expected.kind === 'stream_exists' && current !== undefined) ||
      (expected.kind === 'revision' && current === expected.revision);
    return holds ? undefined : { ok: false, failure: { kind: 'wrong_expected_version', expected, current } };
  }

  /** Writes a `$`-typed record, as EventStoreDB does for deletes; adapters must keep them out of user reads. */
  #systemRecord(streamId: string, type: string, body: object, into?: StreamState): AppendOutcome {
    const target = into ?? this.#streams.get(streamId) ?? { records: [], truncateBefore: 0n, tombstoned: false };
    this.#streams.set(streamId, target);
    const [stored] = this.#write(target, streamId, [
      {
        id: crypto.randomUUID(),
        type,
        contentType: 'application/json',
        data: Buffer.from(JSON.stringify(body)),
        customMetadata: new Uint8Array(),
      },
    ]);
    this.#notify();
    return { ok: true, revision: stored!.revision, position: stored!.position };
  }

  /** What reading a stream finds: its visible records, or why there are none. */
  stream(streamId: string): { readonly kind: 'found'; readonly records: readonly StoredRecord[] } | { readonly kind: 'not_found' } | { readonly kind: 'deleted' } {
    const stream = this.#streams.get(streamId);
    if (stream?.tombstoned) return { kind: 'deleted' };
    const records = stream?.records.filter((record) => record.revision >= stream.truncateBefore) ?? [];
    return records.length === 0 ? { kind: 'not_found' } : { kind: 'found', records };
  }

  /** The position one past the last record: what EventStoreDB reports as the end of `$all`. */
  endPosition(): LogPosition {
    return { commit: this.#nextOffset, prepare: this.#nextOffset };
  }

  /** Calls `listener` after every write until the returned function is called. */
  onWrite(listener: () => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  #notify(): void {
    for (const listener of [...this.#listeners]) listener();
  }
}
