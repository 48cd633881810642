import * as E from 'fp-ts/lib/Either.js';
import type { Decider } from './decider.js';
import type { DomainEvent, NewEvent } from './event.js';
import type { EventRegistry } from './event-registry.js';
import type { EventStore } from './event-store.js';
import { InvalidEventError, RetriesExhaustedError, StreamNotFoundError, WrongExpectedRevisionError } from './errors.js';
import { newEventId } from './ids.js';
import type { Position } from './position.js';

/** Who asked, and when: time and ids come in with the command so that deciders stay pure. */
export interface CommandContext {
  /**
   * The instant the resulting events record as `occurredAt`: RFC 3339 with a zone, `2020-11-10T09:00:00Z` or
   * `2020-11-10T10:00:00.5+01:00`. A time without `Z` or an offset is refused, as it would mean another instant on a
   * machine in another time zone.
   */
  readonly occurredAt: string;
  /** Becomes each event's `causationId`; a fresh UUID when omitted. */
  readonly commandId?: string;
  /** Defaults to the command id. */
  readonly correlationId?: string;
}

/** A stream's folded state and the revision it was folded up to (`undefined`: no stream yet). */
export interface LoadedStream<State> {
  readonly state: State;
  readonly revision: bigint | undefined;
}

/** What a handled command produced. */
export interface HandledCommand<State, Event extends DomainEvent> extends LoadedStream<State> {
  /** The events appended, in order; empty when the decider decided nothing needed to change. */
  readonly events: readonly Event[];
  /** The global position of the last appended event; `undefined` when nothing was appended. */
  readonly position: Position | undefined;
  /** How many times `decide` ran (1 unless a concurrent writer won a race). */
  readonly attempts: number;
}

/** Options of `createCommandHandler`. */
export interface CommandHandlerOptions<Command, State, Event extends DomainEvent, Error> {
  readonly store: EventStore;
  readonly registry: EventRegistry<Event>;
  readonly decider: Decider<Command, State, Event, Error>;
  /** How many times to decide before giving up on conflicts; default 10. */
  readonly maxAttempts?: number;
  /** Conflict backoff: full jitter between 0 and min(maxDelayMs, baseDelayMs * 2^attempt); default 2 ms and 200 ms. */
  readonly baseDelayMs?: number;
  readonly maxDelayMs?: number;
  /**
   * Keep folded states of up to this many streams in memory, so a command reads only the events appended since the
   * last one. The cache is only a starting point: every command still reads the stream's tail, so it stays correct
   * with other writers. Default 0 (off).
   */
  readonly cacheSize?: number;
  /** How event ids are made; default UUID v7 from the clock. Pass `seededEventIds(seed)` for reproducible runs. */
  readonly newEventId?: (occurredAt: Date) => string;
  /** The jitter source; default `Math.random`. */
  readonly random?: () => number;
}

/** Runs commands against one decider: read and fold, decide, append with the revision read, retry on conflict. */
export interface CommandHandler<Command, State, Event extends DomainEvent, Error> {
  handle(streamId: string, command: Command, context: CommandContext): Promise<E.Either<Error, HandledCommand<State, Event>>>;
  /** Reads and folds a stream without deciding anything. */
  load(streamId: string): Promise<LoadedStream<State>>;
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** RFC 3339 date-time: a calendar date, a time, and a zone (`Z` or an offset); fractions of a second optional. */
const RFC3339 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/i;

/** The instant of `occurredAt`, or a RangeError saying what to pass. */
const instantOf = (occurredAt: string): Date => {
  const instant = new Date(occurredAt);
  if (typeof occurredAt !== 'string' || !RFC3339.test(occurredAt) || Number.isNaN(instant.getTime())) {
    throw new RangeError(`CommandContext.occurredAt ${JSON.stringify(occurredAt)} is not an RFC 3339 instant with a zone; ` +
      'pass e.g. "2020-11-10T09:00:00Z" or "2020-11-10T10:00:00+01:00"');
  }
  return instant;
};

/** Builds a command handler; see `CommandHandlerOptions` for retries, caching and ids. */
export const createCommandHandler = <Command, State, Event extends DomainEvent, Error>(
  options: CommandHandlerOptions<Command, State, Event, Error>,
): CommandHandler<Command, State, Event, Error> => {
  const { store, registry, decider } = options;
  const maxAttempts = options.maxAttempts ?? 10;
  const baseDelayMs = options.baseDelayMs ?? 2;
  const maxDelayMs = options.maxDelayMs ?? 200;
  const cacheSize = options.cacheSize ?? 0;
  const makeEventId = options.newEventId ?? (() => newEventId());
  const random = options.random ?? Math.random;
  const cache = new Map<string, LoadedStream<State>>();

  const remember = (streamId: string, loaded: LoadedStream<State>): void => {
    if (cacheSize <= 0) return;
    const known = cache.get(streamId);
    if (known?.revision !== undefined && (loaded.revision === undefined || loaded.revision < known.revision)) return;
    cache.delete(streamId);
    cache.set(streamId, loaded);
    if (cache.size > cacheSize) cache.delete(cache.keys().next().value as string);
  };

  const load = async (streamId: string): Promise<LoadedStream<State>> => {
    const start = cache.get(streamId) ?? { state: decider.initialState, revision: undefined };
    let { state, revision } = start;
    try {
      const from = revision === undefined ? 'start' : revision + 1n;
      for await (const recorded of store.readStream(streamId, { fromRevision: from })) {
        const decoded = registry.decode(recorded);
        if (E.isLeft(decoded)) throw decoded.left;
        state = decider.evolve(state, decoded.right);
        revision = recorded.streamRevision;
      }
    } catch (error) {
      if (!(error instanceof StreamNotFoundError)) throw error;
      // A stream that vanished since it was cached (deleted, or a fresh store) starts over.
      state = decider.initialState;
      revision = undefined;
    }
    const loaded = { state, revision };
    remember(streamId, loaded);
    return loaded;
  };

  const toNewEvent = (event: Event, occurredAt: Date, context: CommandContext, commandId: string): NewEvent => {
    const encoded = registry.encode(event);
    return {
      type: encoded.type,
      data: encoded.data,
      metadata: {
        eventId: makeEventId(occurredAt),
        occurredAt: occurredAt.toISOString(),
        correlationId: context.correlationId ?? commandId,
        causationId: commandId,
        schemaVersion: encoded.schemaVersion,
      },
    };
  };

  const handle = async (streamId: string, command: Command, context: CommandContext) => {
    const occurredAt = instantOf(context.occurredAt);
    const commandId = context.commandId ?? newEventId();
    let lastConflict: WrongExpectedRevisionError | undefined;
    for (let attempt = 1; attempt <= maxAttempts; attempt++) {
      const { state, revision } = await load(streamId);
      const decision = decider.decide(command, state);
      if (E.isLeft(decision)) return decision;
      const events = decision.right;
      if (events.length === 0) {
        return E.right({ state, revision, events: [], position: undefined, attempts: attempt });
      }
      const newEvents = events.map((event) => toNewEvent(event, occurredAt, context, commandId));
      try {
        const result = await store.appendToStream(streamId, newEvents, { expectedRevision: revision ?? 'no_stream' });
        const expected = (revision ?? -1n) + BigInt(events.length);
        if (result.nextExpectedRevision !== expected) {
          // The store took the append for a retry of one stored earlier: these fresh ids were used before.
          throw new InvalidEventError(streamId, newEvents[0]!.type, `the store answered with revision ${result.nextExpectedRevision} ` +
            `instead of ${expected}, as for a retry of an earlier append, so event id ${newEvents[0]!.metadata.eventId} was used ` +
            'before and these events were not written; the newEventId option repeats ids (a seed reused by a restarted writer?): ' +
            'give each run its own seed');
        }
        const nextState = events.reduce(decider.evolve, state);
        remember(streamId, { state: nextState, revision: result.nextExpectedRevision });
        return E.right({ state: nextState, revision: result.nextExpectedRevision, events, position: result.position, attempts: attempt });
      } catch (error) {
        if (!(error instanceof WrongExpectedRevisionError)) throw error;
        lastConflict = error;
        // The cached state is still a true prefix of the stream: the next attempt reads only what the winner appended.
        const ceiling = Math.min(maxDelayMs, baseDelayMs * 2 ** (attempt - 1));
        await sleep(random() * ceiling);
      }
    }
    throw new RetriesExhaustedError(streamId, maxAttempts, { cause: lastConflict });
  };

  return { handle, load };
};
