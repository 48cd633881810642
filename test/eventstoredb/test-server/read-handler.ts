import type * as grpc from '@grpc/grpc-js';
import type { ReadReq, ReadResp } from '@eventstore/db-client/generated/streams_pb.js';
import { streamsPb } from './grpc-definitions.js';
import { compareLogPositions, type InMemoryLog, type LogPosition, type StoredRecord } from './in-memory-log.js';
import { checkpointResponse, exceptionError, readEventResponse, streamIdentifier, streamName } from './wire.js';

type ReadCall = grpc.ServerWritableStream<ReadReq, ReadResp>;

/** EventStoreDB's default search window of a filtered read; checkpoints come every `multiplier * window` scanned events. */
const DEFAULT_MAX_SEARCH_WINDOW = 32;

/** How the TEST SERVER's `$all` subscriptions behave, shared by all of them and changed by tests. */
export interface SubscriptionControl {
  /** False: never send caught-up, as servers before 23.10 do not. */
  readonly sendCaughtUp: boolean;
  /** True while live subscriptions are made to fall behind: they send FellBehind and no caught-up until it is false. */
  behind: boolean;
  /** Subscriptions confirmed so far. */
  opened: number;
  /** Called whenever `behind` changes. */
  readonly listeners: Set<() => void>;
}

/** What the TEST SERVER needs to know to answer a Read. */
export interface ReadContext {
  readonly log: InMemoryLog;
  readonly isDenied: (stream: string) => boolean;
  readonly subscriptions: SubscriptionControl;
}

/** Streams.Read: stream reads, `$all` reads and `$all` subscriptions, with EventStoreDB's semantics. */
export const handleRead = (context: ReadContext, call: ReadCall): void => {
  const options = call.request.getOptions();
  if (!options) return void call.emit('error', new Error('ReadReq without options'));
  if (options.hasStream()) {
    if (options.hasSubscription()) return void call.emit('error', new Error('This test server does not serve stream subscriptions; subscribe to $all'));
    return readStream(context, call, options);
  }
  if (options.hasSubscription()) {
    void subscribeToAll(context, call, options);
    return;
  }
  readAll(context, call, options);
};

const writeAll = (call: ReadCall, responses: Iterable<ReadResp>): void => {
  for (const response of responses) call.write(response);
  call.end();
};

const readStream = (context: ReadContext, call: ReadCall, options: ReadReq.Options): void => {
  const streamOptions = options.getStream()!;
  const stream = streamName(streamOptions.getStreamIdentifier());
  if (context.isDenied(stream)) return void call.emit('error', exceptionError('access-denied', stream));
  const found = context.log.stream(stream);
  if (found.kind === 'deleted') return void call.emit('error', exceptionError('stream-deleted', stream));
  if (found.kind === 'not_found') {
    const notFound = new streamsPb.ReadResp.StreamNotFound();
    notFound.setStreamIdentifier(streamIdentifier(stream));
    const response = new streamsPb.ReadResp();
    response.setStreamNotFound(notFound);
    return writeAll(call, [response]);
  }
  const backwards = options.getReadDirection() === streamsPb.ReadReq.Options.ReadDirection.BACKWARDS;
  const count = Number(options.getCount());
  const from = streamOptions.hasRevision() ? BigInt(streamOptions.getRevision()) : streamOptions.hasEnd() ? undefined : 0n;
  const selected = backwards
    ? [...found.records].reverse().filter((record) => from === undefined || record.revision <= from)
    : found.records.filter((record) => from !== undefined && record.revision >= from);
  writeAll(call, selected.slice(0, count).map(readEventResponse));
};

type Predicate = (record: StoredRecord) => boolean;

const filterOf = (options: ReadReq.Options): { readonly matches: Predicate; readonly checkpointEvery: number | undefined } => {
  if (!options.hasFilter()) return { matches: () => true, checkpointEvery: undefined };
  const filter = options.getFilter()!;
  const onStream = filter.hasStreamIdentifier();
  const expression = onStream ? filter.getStreamIdentifier()! : filter.getEventType()!;
  const prefixes = expression.getPrefixList();
  // The server matches with .NET's `new Regex(regex, RegexOptions.Compiled).Match(field)`: unanchored, case-sensitive,
  // lookaheads supported, as here. The one difference that could matter, `$` also matching before a final newline in
  // .NET, the adapter avoids (see server-filter.ts), so a JavaScript RegExp gives the server's answer.
  const regex = expression.getRegex() ? new RegExp(expression.getRegex()) : undefined;
  const field = (record: StoredRecord) => (onStream ? record.streamId : record.type);
  const matches: Predicate = (record) =>
    (prefixes.length === 0 || prefixes.some((prefix) => field(record).startsWith(prefix))) && (regex === undefined || regex.test(field(record)));
  const window = filter.hasMax() ? filter.getMax() : DEFAULT_MAX_SEARCH_WINDOW;
  return { matches, checkpointEvery: Math.max(1, filter.getCheckpointintervalmultiplier()) * window };
};

const readAll = (context: ReadContext, call: ReadCall, options: ReadReq.Options): void => {
  const all = options.getAll()!;
  const backwards = options.getReadDirection() === streamsPb.ReadReq.Options.ReadDirection.BACKWARDS;
  const count = Number(options.getCount());
  const { matches } = filterOf(options);
  const position = all.hasPosition() ? toLogPosition(all.getPosition()!) : undefined;
  // EventStoreDB reads $all forwards from a position inclusively and backwards from it exclusively.
  const selected = backwards
    ? [...context.log.all].reverse().filter((record) => (all.hasStart() ? false : position === undefined || compareLogPositions(record.position, position) < 0))
    : context.log.all.filter((record) => (all.hasEnd() ? false : position === undefined || compareLogPositions(record.position, position) >= 0));
  writeAll(call, selected.filter(matches).slice(0, count).map(readEventResponse));
};

const toLogPosition = (position: ReadReq.Options.Position): LogPosition => ({
  commit: BigInt(position.getCommitPosition()),
  prepare: BigInt(position.getPreparePosition()),
});

/** Resolves when the client can take more, so a paused client holds the server back instead of filling memory. */
const writeWithBackpressure = (call: ReadCall, response: ReadResp): Promise<void> | undefined =>
  call.write(response) ? undefined : new Promise((resolve) => call.once('drain', resolve));

/**
 * A `$all` subscription: confirmation, catch-up from the position (exclusive), then `caught_up`, then live events.
 * Made to fall behind (`SubscriptionControl.behind`), a live one sends `fell_behind`, goes on sending events as
 * EventStoreDB does while it re-reads from the log, and says caught-up again only once it is let catch up.
 * A filtered subscription sends a checkpoint (the position of the last scanned record) every `multiplier * window`
 * scanned events, and none at the caught-up transition: EventStoreDB removed that one in 21.10.x/23.10, because
 * resuming from it could miss an event.
 */
const subscribeToAll = async (context: ReadContext, call: ReadCall, options: ReadReq.Options): Promise<void> => {
  const all = options.getAll()!;
  const { matches, checkpointEvery } = filterOf(options);
  let cancelled = false;
  let wake: (() => void) | undefined;
  const stopListening = context.log.onWrite(() => wake?.());
  const control = context.subscriptions;
  const onControl = () => wake?.();
  control.listeners.add(onControl);
  const stop = () => {
    cancelled = true;
    wake?.();
  };
  call.on('cancelled', stop);
  call.on('close', stop);
  call.on('error', stop);

  const confirmation = new streamsPb.ReadResp.SubscriptionConfirmation();
  confirmation.setSubscriptionId(crypto.randomUUID());
  const confirm = new streamsPb.ReadResp();
  confirm.setConfirmation(confirmation);
  call.write(confirm);
  control.opened++;

  const start = all.hasPosition() ? toLogPosition(all.getPosition()!) : undefined;
  let next = all.hasEnd() ? context.log.all.length : start === undefined ? 0 : context.log.all.findIndex((record) => compareLogPositions(record.position, start) > 0);
  if (next < 0) next = context.log.all.length;
  let scannedSinceCheckpoint = 0;
  let live = false;
  const fallsBehind = () => control.behind && live;
  const catchesUp = () => !live && !control.behind;

  try {
    while (!cancelled) {
      if (fallsBehind()) {
        live = false;
        const response = new streamsPb.ReadResp();
        response.setFellBehind(new streamsPb.ReadResp.FellBehind());
        await writeWithBackpressure(call, response);
      }
      while (!cancelled && next < context.log.all.length) {
        const record = context.log.all[next++]!;
        scannedSinceCheckpoint++;
        if (matches(record)) await writeWithBackpressure(call, readEventResponse(record));
        if (checkpointEvery !== undefined && scannedSinceCheckpoint >= checkpointEvery) {
          scannedSinceCheckpoint = 0;
          await writeWithBackpressure(call, checkpointResponse(record.position));
        }
      }
      if (cancelled) break;
      if (catchesUp()) {
        live = true;
        if (control.sendCaughtUp) {
          const response = new streamsPb.ReadResp();
          response.setCaughtUp(new streamsPb.ReadResp.CaughtUp());
          await writeWithBackpressure(call, response);
        }
      }
      await new Promise<void>((resolve) => {
        wake = resolve;
        if (cancelled || next < context.log.all.length || fallsBehind() || catchesUp()) resolve();
      });
      wake = undefined;
    }
  } finally {
    stopListening();
    control.listeners.delete(onControl);
  }
};

