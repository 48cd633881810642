import { createHash, type Hash } from 'node:crypto';
import { closeSync, createReadStream, existsSync, fstatSync, openSync, readSync, statSync } from 'node:fs';
import { createInterface } from 'node:readline';
import type { AppendResult, EventStore, NewEvent, RecordedEvent } from '@clusterconf/domain';
import { ClusterconfError, isAfter, serializeEvents, StreamNotFoundError, WrongExpectedRevisionError } from '@clusterconf/domain';
import { canonicalJson } from './canonical-json.js';
import { ExportFileError, ImportConflictError, ImportVerificationError, MissingFileError } from './cli-errors.js';

/** The format tag in every export's trailer line. */
export const EXPORT_FORMAT = 'clusterconf-ndjson/1';

/**
 * One event line of an export: portable fields only; positions are store-specific and left out. `tags` is written
 * only for an event that has tags, so an untagged event's line (and an export made before tags) reads as it always did.
 */
export interface ExportedEvent {
  readonly streamId: string;
  readonly streamRevision: string;
  readonly type: string;
  readonly data: unknown;
  readonly metadata: NewEvent['metadata'];
  readonly tags?: readonly string[];
}

/** The last line of an export: how many event lines precede it and the SHA-256 over them. */
export interface ExportTrailer {
  readonly format: typeof EXPORT_FORMAT;
  readonly events: number;
  readonly sha256: string;
}

/** What an export or import reports. */
export interface TransferSummary {
  readonly events: number;
  readonly sha256: string;
}

/** The canonical text of an event's line; the checksum is over these lines, each followed by "\n". */
export const eventLine = (
  event: Pick<RecordedEvent, 'streamId' | 'streamRevision' | 'type' | 'data' | 'metadata'> & { readonly tags?: readonly string[] },
): string =>
  canonicalJson({
    streamId: event.streamId,
    streamRevision: event.streamRevision.toString(),
    type: event.type,
    data: event.data,
    metadata: event.metadata,
    ...(event.tags === undefined || event.tags.length === 0 ? {} : { tags: event.tags }),
  });

/** The trailer's text. */
export const trailerLine = (summary: TransferSummary): string =>
  JSON.stringify({ format: EXPORT_FORMAT, events: summary.events, sha256: summary.sha256 } satisfies ExportTrailer);

/** A running count and checksum over event lines. */
class LineDigest {
  readonly #hash: Hash = createHash('sha256');
  count = 0;
  add(line: string): void {
    this.#hash.update(`${line}\n`);
    this.count++;
  }
  summary(): TransferSummary {
    return { events: this.count, sha256: this.#hash.digest('hex') };
  }
}

/**
 * Writes the whole log of `store` as NDJSON, one event per line in log order, then the trailer. `write` receives
 * each line with its newline and may return a promise to apply back-pressure; `onEvent` reports progress.
 */
export const exportEvents = async (
  store: EventStore,
  write: (chunk: string) => void | Promise<void>,
  onEvent: (count: number) => void = () => undefined,
): Promise<TransferSummary> => {
  const digest = new LineDigest();
  for await (const event of store.readAll({ pageSize: 1000 })) {
    const line = eventLine(event);
    digest.add(line);
    await write(`${line}\n`);
    onEvent(digest.count);
  }
  const summary = digest.summary();
  await write(`${trailerLine(summary)}\n`);
  return summary;
};

const isObject = (value: unknown): value is Record<string, unknown> => value !== null && typeof value === 'object' && !Array.isArray(value);

/**
 * Parses one event line and checks its shape as an export line; what the event itself holds (its metadata above
 * all) is left to the event contract, which `verifyExportFile` applies as every store does.
 */
const parseEventLine = (path: string, lineNumber: number, value: Record<string, unknown>): ExportedEvent => {
  const { streamId, streamRevision, type, data, metadata, tags } = value;
  const problem =
    typeof streamId !== 'string' ? 'streamId is not a string'
      : typeof streamRevision !== 'string' || !/^\d+$/.test(streamRevision) ? 'streamRevision is not a whole number in a string'
        : typeof type !== 'string' ? 'type is not a string'
          : undefined;
  if (problem) throw new ExportFileError(path, lineNumber, `${problem}; the file is not a clusterconf export`);
  // Tags are checked with the rest of the event, by the event contract; an absent field is an untagged event.
  return (tags === undefined ? { streamId, streamRevision, type, data, metadata } : { streamId, streamRevision, type, data, metadata, tags }) as ExportedEvent;
};

/** A parsed line of an export file. */
type ExportLine = { readonly kind: 'event'; readonly event: ExportedEvent; readonly line: number } | { readonly kind: 'trailer'; readonly trailer: ExportTrailer; readonly line: number };

async function* readExportLines(path: string): AsyncGenerator<ExportLine> {
  if (!existsSync(path)) throw new MissingFileError(path, 'check the path, or create it with `clusterconf export --out FILE`');
  if (!statSync(path).isFile()) throw new ExportFileError(path, undefined, 'not a file; give the path of a file written by `clusterconf export --out FILE`');
  const lines = createInterface({ input: createReadStream(path, 'utf8'), crlfDelay: Number.POSITIVE_INFINITY });
  let lineNumber = 0;
  let trailerSeen = false;
  for await (const text of lines) {
    lineNumber++;
    if (text.trim() === '') continue;
    if (trailerSeen) throw new ExportFileError(path, lineNumber, 'text after the trailer line; the file was concatenated or edited');
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch {
      throw new ExportFileError(path, lineNumber, 'not valid JSON; the file is damaged, export it again');
    }
    if (!isObject(value)) throw new ExportFileError(path, lineNumber, 'not a JSON object; the file is not a clusterconf export');
    if (value.format !== undefined) {
      if (value.format !== EXPORT_FORMAT || typeof value.events !== 'number' || typeof value.sha256 !== 'string') {
        throw new ExportFileError(path, lineNumber, `unsupported trailer; expected format "${EXPORT_FORMAT}" with events and sha256`);
      }
      trailerSeen = true;
      yield { kind: 'trailer', trailer: value as unknown as ExportTrailer, line: lineNumber };
    } else {
      yield { kind: 'event', event: parseEventLine(path, lineNumber, value), line: lineNumber };
    }
  }
  if (!trailerSeen) throw new ExportFileError(path, undefined, 'no trailer line: the export is truncated; export it again');
}

const toNewEvent = (event: ExportedEvent): NewEvent =>
  event.tags === undefined ? { type: event.type, data: event.data, metadata: event.metadata } : { type: event.type, data: event.data, metadata: event.metadata, tags: event.tags };

/**
 * Why the stores would refuse an event, or `undefined`: the event contract every store's `appendToStream` applies
 * (`serializeEvents`: stream id, type, metadata fields, exact JSON, size), so a file that passes holds no event a
 * store would refuse half-way through an import, and none a reader would later report as corrupt.
 */
const refusal = (event: ExportedEvent): string | undefined => {
  try {
    serializeEvents(event.streamId, [toNewEvent(event)]);
    return undefined;
  } catch (error) {
    if (error instanceof ClusterconfError) return error.message;
    throw error;
  }
};

const UNIMPORTABLE = 'the stores refuse such an event, so nothing was imported; correct the event in the source store and export it again';

/** An export file that `verifyExportFile` checked: its count and checksum, and the file as it was then. */
export interface VerifiedExport extends TransferSummary {
  readonly path: string;
  /** Size and modification time when verified: an import refuses a file changed since. */
  readonly size: number;
  readonly mtimeMs: number;
}

/** Options of `verifyExportFile`. */
export interface VerifyOptions {
  /** Reports how many event lines have been checked so far. */
  readonly onEvent?: (count: number) => void;
}

/**
 * Reads a whole export file and checks, without touching any store, everything an import needs so that a file that
 * passes cannot fail half-way on its own content: the count and checksum against the trailer, every event against
 * the event contract as the stores check it (data present; stream id, type, metadata fields and exact JSON, see
 * `refusal`), event ids unique in the file (ignoring case), and each stream's revisions contiguous from 0 in file
 * order. The first problem is an `ExportFileError` naming the line.
 */
export const verifyExportFile = async (path: string, options: VerifyOptions = {}): Promise<VerifiedExport> => {
  const before = existsSync(path) ? statSync(path) : undefined;
  const digest = new LineDigest();
  const idLines = new Map<string, number>();
  const nextRevision = new Map<string, bigint>();
  let trailer: ExportTrailer | undefined;
  for await (const entry of readExportLines(path)) {
    if (entry.kind === 'trailer') {
      trailer = entry.trailer;
      continue;
    }
    const { event, line } = entry;
    const fail = (reason: string): never => {
      throw new ExportFileError(path, line, reason);
    };
    if (event.data === undefined) fail(`the event of stream "${event.streamId}" has no data; ${UNIMPORTABLE}`);
    const refused = refusal(event);
    if (refused !== undefined) fail(`${refused}; ${UNIMPORTABLE}`);
    const id = event.metadata.eventId.toLowerCase();
    const earlier = idLines.get(id);
    if (earlier !== undefined) {
      fail(`eventId ${event.metadata.eventId} already appears on line ${earlier} (ids compare case-insensitively); each event needs ` +
        `its own id: ${UNIMPORTABLE}`);
    }
    idLines.set(id, line);
    const revision = BigInt(event.streamRevision);
    const expected = nextRevision.get(event.streamId) ?? 0n;
    if (revision !== expected) {
      fail(`stream "${event.streamId}" ${expected === 0n ? 'starts' : `continues after revision ${expected - 1n}`} at revision ${revision}, ` +
        `expected ${expected}: an export holds each stream's revisions contiguously from 0 in order; the file is not a whole ` +
        'export, so nothing was imported; export the source store again');
    }
    nextRevision.set(event.streamId, revision + 1n);
    digest.add(eventLine({ ...event, streamRevision: revision }));
    options.onEvent?.(digest.count);
  }
  const summary = digest.summary();
  if (trailer!.events !== summary.events) {
    throw new ExportFileError(path, undefined, `the trailer counts ${trailer!.events} events but the file holds ${summary.events}; export it again`);
  }
  if (trailer!.sha256 !== summary.sha256) {
    throw new ExportFileError(path, undefined, `checksum mismatch: trailer sha256 ${trailer!.sha256}, content ${summary.sha256}; the file was altered, export it again`);
  }
  return { ...summary, path, size: before!.size, mtimeMs: before!.mtimeMs };
};

/**
 * The event count an export's trailer claims, read from the end of the file without reading the rest, for progress
 * before the file is verified; 0 when the last line is no trailer (verification then says what is wrong).
 */
export const claimedEventCount = (path: string): number => {
  let fd: number | undefined;
  try {
    fd = openSync(path, 'r');
    const size = fstatSync(fd).size;
    const length = Math.min(size, 4096);
    const buffer = Buffer.alloc(length);
    readSync(fd, buffer, 0, length, size - length);
    const last = buffer.toString('utf8').trimEnd().split('\n').at(-1) ?? '';
    const trailer = JSON.parse(last) as Partial<ExportTrailer>;
    return trailer.format === EXPORT_FORMAT && Number.isSafeInteger(trailer.events) ? trailer.events! : 0;
  } catch {
    return 0;
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
};

/** What an import reports: the verified count and checksum, and how many of the events the target already held. */
export interface ImportSummary extends TransferSummary {
  /** Events this import appended. */
  readonly newEvents: number;
  /** Events the target already held at the same place (an import run again, or resumed): appended as no-ops. */
  readonly presentEvents: number;
}

/** Options of `importEvents` and `importVerifiedExport`. */
export interface ImportOptions {
  /** Reports how many events have been appended (new or already present) so far. */
  readonly onEvent?: (count: number) => void;
  /** Reports how many of the file's events the re-read of the target has found so far, of how many; first with 0. */
  readonly onVerify?: (found: number, total: number) => void;
  /** Most events per append; consecutive events of one stream go in one atomic append. Default 500. */
  readonly batchSize?: number;
}

const describeEvent = (event: Pick<NewEvent, 'type' | 'metadata'> | undefined): string =>
  event === undefined ? 'no event' : `id ${event.metadata.eventId}, type "${event.type}"`;

/** The target's event at one revision of a stream, or `undefined` when it has none. */
const eventAt = async (store: EventStore, streamId: string, revision: bigint): Promise<RecordedEvent | undefined> => {
  try {
    for await (const event of store.readStream(streamId, { fromRevision: revision, maxCount: 1 })) return event;
  } catch (error) {
    if (!(error instanceof StreamNotFoundError)) throw error;
  }
  return undefined;
};

/**
 * Imports an export file into `store`. The whole file is verified first (`verifyExportFile`), so a damaged file or
 * one holding an event the stores would refuse imports nothing. Each stream's events are appended with the revision
 * the file says precedes them, so a target whose stream differs refuses with `ImportConflictError`. The import is
 * resumable, not atomic: such a conflict leaves the events before it written; appends of events already stored (same
 * ids, same place) are no-ops, so after fixing the target an interrupted or repeated import can simply be run again.
 * Afterwards the target's log is re-read and must reproduce the file's count and checksum.
 */
export const importEvents = async (store: EventStore, path: string, options: ImportOptions = {}): Promise<TransferSummary> => {
  const { events, sha256 } = await importVerifiedExport(store, await verifyExportFile(path), options);
  return { events, sha256 };
};

/**
 * The import after `verifyExportFile`, for a caller that verifies before it opens the target (the CLI, so that a bad
 * file never creates an empty store): appends as `importEvents` does, counting the events that were new and those the
 * target already held, then verifies the target. A file changed since it was verified is refused before any append.
 */
export const importVerifiedExport = async (store: EventStore, verified: VerifiedExport, options: ImportOptions = {}): Promise<ImportSummary> => {
  const { path } = verified;
  const now = existsSync(path) ? statSync(path) : undefined;
  if (now?.size !== verified.size || now.mtimeMs !== verified.mtimeMs) {
    throw new ExportFileError(path, undefined, 'the file changed after it was verified, so nothing was imported; run the import again');
  }
  const batchSize = options.batchSize ?? 500;
  // An append of events already stored answers with their original position, at or before the head it found; a new
  // one lands after it. Appends are all or nothing, so each batch is wholly new or wholly present.
  const headBefore = await store.headPosition();
  const eventIds = new Set<string>();
  let batch: { streamId: string; first: bigint; line: number; events: NewEvent[] } | undefined;
  let appended = 0;
  let newEvents = 0;

  const flush = async (): Promise<void> => {
    if (!batch) return;
    const { streamId, first, line, events } = batch;
    batch = undefined;
    const expectedRevision = first === 0n ? 'no_stream' : first - 1n;
    let result: AppendResult;
    try {
      result = await store.appendToStream(streamId, events, { expectedRevision });
    } catch (error) {
      const resume = `nothing from line ${line} on was written, the events before it were (an import is resumable, not atomic); ` +
        'import into an empty store or one holding this same history, or remove the clashing stream from the target, then run the import again';
      if (error instanceof WrongExpectedRevisionError) {
        const offered = describeEvent(events[0]!);
        const clash = error.actual !== undefined && error.actual >= first
          ? `the target holds a different event at revision ${first} of stream "${streamId}" (${describeEvent(await eventAt(store, streamId, first))}) ` +
            `where the file has ${offered}`
          : `stream "${streamId}" in the target is at ${error.actual === undefined ? 'no stream' : `revision ${error.actual}`}, but the file's ` +
            `next event for it (${offered}) is revision ${first}`;
        throw new ImportConflictError(path, line, `${clash}: ${resume}`, { cause: error });
      }
      if (error instanceof ClusterconfError) throw new ImportConflictError(path, line, `${error.message}: ${resume}`, { cause: error });
      throw error;
    }
    appended += events.length;
    if (isAfter(result.position, headBefore)) newEvents += events.length;
    options.onEvent?.(appended);
  };

  for await (const entry of readExportLines(path)) {
    if (entry.kind === 'trailer') break;
    const { event } = entry;
    const revision = BigInt(event.streamRevision);
    eventIds.add(event.metadata.eventId);
    const continues = batch && batch.streamId === event.streamId && batch.first + BigInt(batch.events.length) === revision && batch.events.length < batchSize;
    if (!continues) {
      await flush();
      batch = { streamId: event.streamId, first: revision, line: entry.line, events: [] };
    }
    batch!.events.push(toNewEvent(event));
  }
  await flush();

  const digest = new LineDigest();
  options.onVerify?.(0, verified.events);
  for await (const event of store.readAll({ pageSize: 1000 })) {
    if (!eventIds.has(event.metadata.eventId)) continue;
    digest.add(eventLine(event));
    options.onVerify?.(digest.count, verified.events);
  }
  const actual = digest.summary();
  if (actual.events !== verified.events || actual.sha256 !== verified.sha256) {
    throw new ImportVerificationError(
      `Import of ${path} did not verify: the target holds ${actual.events} of its events with sha256 ${actual.sha256}, ` +
        `the file has ${verified.events} with sha256 ${verified.sha256}; another writer interleaved or the target rewrites events`,
    );
  }
  return { ...actual, newEvents, presentEvents: appended - newEvents };
};
