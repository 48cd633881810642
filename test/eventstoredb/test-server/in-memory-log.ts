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
  /**
   * 100-nanosecond ticks since the Unix epoch, as EventStoreDB reports `created` (`TimeStamp.ToTicksSinceEpoch()`,
   * EpochExtensions.cs): not .NET's ticks since year 1, which both clients would read as a date some 1969 years on.
   */
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

/** The outcome of an append; `idempotent` when it was recognised as a retry and nothing was written. */
export type AppendOutcome =
  | { readonly ok: true; readonly revision: bigint; readonly position: LogPosition; readonly idempotent?: boolean }
  | { readonly ok: false; readonly failure: LogFailure };

interface StreamState {
  readonly records: StoredRecord[];
  /** Soft delete (EventStoreDB's `$tb` truncate-before): revisions below it are hidden; the stream may be written again. */
  truncateBefore: bigint;
  /** Soft-deleted and not written since (EventStoreDB: `$tb` is the deleted-stream marker until the next write). */
  softDeleted: boolean;
  tombstoned: boolean;
}

/** Options of the test server's log. */
export interface InMemoryLogOptions {
  /**
   * How many event ids the idempotency cache keeps, oldest dropped first. EventStoreDB keeps the ids of recently
   * committed events in a cache bounded by memory (`_committedEvents` in its IndexWriter); an 'any' or
   * 'stream_exists' retry is recognised only while all its ids are still there. Default 100,000.
   */
  readonly idempotencyCacheSize?: number;
}

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
  /** EventStoreDB's committed-events cache: event id to the stream and revision it was last written at. */
  readonly #committed = new Map<string, { readonly streamId: string; readonly revision: bigint }>();
  readonly #cacheSize: number;
  #nextOffset = 0n;

  constructor(options: InMemoryLogOptions = {}) {
    this.#cacheSize = Math.max(0, options.idempotencyCacheSize ?? 100_000);
  }

  /** The stream's last revision, counting soft-deleted events, or undefined when it never had an event. */
  lastRevision(streamId: string): bigint | undefined {
    const stream = this.#streams.get(streamId);
    const last = stream?.records[stream.records.length - 1];
    return last?.revision;
  }

  /** The revision the delete checks compare with: undefined when the stream is empty or soft-deleted. */
  #visibleRevision(stream: StreamState | undefined): bigint | undefined {
    if (!stream) return undefined;
    const last = stream.records[stream.records.length - 1];
    return last === undefined || last.revision < stream.truncateBefore ? undefined : last.revision;
  }

  /**
   * Appends all or nothing with EventStoreDB's expected-version and idempotency rules (IndexWriter.CheckCommit).
   * The current version is the stream's last event number, soft-deleted events included: after a soft delete at
   * revision n, expecting n (or 'no_stream', or 'any') writes at n + 1 and undeletes the stream, while
   * 'stream_exists' is refused as stream-deleted.
   */
  append(streamId: string, expected: WireExpected, proposed: readonly ProposedRecord[]): AppendOutcome {
    const stream = this.#streams.get(streamId);
    if (stream?.tombstoned) return { ok: false, failure: { kind: 'stream_deleted' } };
    const current = this.lastRevision(streamId);
    const wrong = (): AppendOutcome => ({ ok: false, failure: { kind: 'wrong_expected_version', expected, current } });

    if (expected.kind === 'stream_exists') {
      if (stream?.softDeleted) return { ok: false, failure: { kind: 'stream_deleted' } };
      if (current === undefined) return wrong();
    }
    if (expected.kind === 'any' || expected.kind === 'stream_exists') {
      const replay = this.#cachedReplay(streamId, proposed);
      if (replay === 'corrupted') return wrong();
      if (replay) return replay;
    } else {
      const expectedNumber = expected.kind === 'no_stream' ? -1n : expected.revision;
      const currentNumber = current ?? -1n;
      if (expectedNumber < currentNumber) {
        const replay = this.#replayAt(stream!, expectedNumber, proposed);
        if (replay !== 'write') return replay ?? wrong();
        if (!(expected.kind === 'no_stream' && stream?.softDeleted)) return wrong();
      } else if (expectedNumber > currentNumber) {
        return wrong();
      }
    }
    if (proposed.length === 0) {
      const last = stream?.records[stream.records.length - 1];
      return { ok: true, revision: current ?? -1n, position: last?.position ?? { commit: this.#nextOffset, prepare: this.#nextOffset } };
    }
    const target = stream ?? { records: [], truncateBefore: 0n, softDeleted: false, tombstoned: false };
    target.softDeleted = false;
    this.#streams.set(streamId, target);
    const written = this.#write(target, streamId, proposed);
    this.#notify();
    const last = written[written.length - 1]!;
    return { ok: true, revision: last.revision, position: last.position };
  }

  /**
   * The idempotency check for 'any' and 'stream_exists': every id is looked up in the cache, with no check of order
   * or contiguity. The first id missing (or cached for another stream) makes it a new write; a later one missing
   * is "corrupted idempotency", a wrong expected version. All found: a retry answered with the revision (and
   * position) of the last id's event.
   */
  #cachedReplay(streamId: string, proposed: readonly ProposedRecord[]): AppendOutcome | 'corrupted' | undefined {
    let end: bigint | undefined;
    for (const [index, record] of proposed.entries()) {
      const cached = this.#committed.get(record.id);
      if (!cached || cached.streamId !== streamId) return index === 0 ? undefined : 'corrupted';
      end = cached.revision;
    }
    if (end === undefined) return undefined;
    const event = this.#streams.get(streamId)?.records.find((stored) => stored.revision === end);
    return { ok: true, revision: end, position: event?.position ?? { commit: -1n, prepare: -1n }, idempotent: true };
  }

  /**
   * The idempotency check for 'no_stream' and exact revisions below the current one: the ids must be the events
   * right after the expected revision, in order. A first id that does not fit is a conflict (or, for 'no_stream' on
   * a soft-deleted stream, a new write: 'write'); a later one is corrupted idempotency (undefined: conflict).
   */
  #replayAt(stream: StreamState, expected: bigint, proposed: readonly ProposedRecord[]): AppendOutcome | 'write' | undefined {
    let revision = expected;
    for (const record of proposed) {
      revision++;
      if (stream.records.find((stored) => stored.revision === revision)?.id === record.id) continue;
      return revision === expected + 1n ? 'write' : undefined;
    }
    if (revision === expected) return undefined;
    const last = stream.records.find((stored) => stored.revision === revision)!;
    return { ok: true, revision, position: last.position, idempotent: true };
  }

  /** Overwrites a stored event's data bytes in place, for tests of unreadable events (a test-server-only hook). */
  overwrite(streamId: string, revision: bigint, field: 'data' | 'customMetadata', bytes: Uint8Array): void {
    const stream = this.#streams.get(streamId);
    const index = stream?.records.findIndex((record) => record.revision === revision) ?? -1;
    if (!stream || index < 0) throw new Error(`The test server has no event at stream "${streamId}" revision ${revision}`);
    const replaced = { ...stream.records[index]!, [field]: bytes };
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
    const created = BigInt(Date.now()) * 10_000n;
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
      this.#remember(stored);
      return stored;
    });
  }

  #remember(stored: StoredRecord): void {
    if (this.#cacheSize === 0) return;
    this.#committed.delete(stored.id);
    this.#committed.set(stored.id, { streamId: stored.streamId, revision: stored.revision });
    if (this.#committed.size > this.#cacheSize) this.#committed.delete(this.#committed.keys().next().value!);
  }

  /** Soft delete: the stream reads as not found until written again; its events stay in `$all`, as before a scavenge. */
  delete(streamId: string, expected: WireExpected): AppendOutcome {
    const outcome = this.#checkDeletable(streamId, expected);
    if (outcome) return outcome;
    const stream = this.#streams.get(streamId)!;
    stream.truncateBefore = stream.records[stream.records.length - 1]!.revision + 1n;
    stream.softDeleted = true;
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
    const target = into ?? this.#streams.get(streamId) ?? { records: [], truncateBefore: 0n, softDeleted: false, tombstoned: false };
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
