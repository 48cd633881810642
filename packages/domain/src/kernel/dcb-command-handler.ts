import * as E from 'fp-ts/lib/Either.js';
import { appendFailureKind, type AppendFailureKind } from './append-failure.js';
import { commandEventId } from './command-event-id.js';
import type { CommandContext } from './command-handler.js';
import { commandIdOf, defaultSleep, instantOf, positiveInteger } from './command-inputs.js';
import { supportsDcb, type DcbEventStore } from './dcb-event-store.js';
import type { Decider } from './decider.js';
import type { DomainEvent, NewEvent } from './event.js';
import type { EventRegistry } from './event-registry.js';
import { CommandOutcomeUnknownError, DcbNotSupportedError, RetriesExhaustedError } from './errors.js';
import { toNewEvents } from './new-events.js';
import type { Position } from './position.js';
import { assertValidQuery, type Query } from './query.js';

/**
 * Where a command is decided and where its events go: the events `query` selects fold the decider's state, the
 * append is conditional on that query after the last event read, and its events are appended to `streamId`.
 */
export interface DcbBoundary {
  readonly query: Query;
  readonly streamId: string;
}

/** A query's folded state and the position of the last event folded in (`undefined`: the query matched nothing). */
export interface LoadedQuery<State> {
  readonly state: State;
  readonly position: Position | undefined;
}

/** What a command handled on a DCB boundary produced; see `HandledCommand` for the stream handler's. */
export type HandledDcbCommand<State, Event extends DomainEvent> = LoadedQuery<State> & {
  /** The events appended, in order; empty when the decider decided nothing needed to change. */
  readonly events: readonly Event[];
  /** How many attempts it took: 1 unless a concurrent writer changed what the query selects, or an append was unconfirmed. */
  readonly attempts: number;
  /** True when the query already selected this command's events (same `commandId`): the first handling's result. */
  readonly repeated: boolean;
};

/** Options of `createDcbCommandHandler`; retries, backoff and time as in `CommandHandlerOptions`. */
export interface DcbCommandHandlerOptions<Command, State, Event extends DomainEvent, Error> {
  /** A store whose `capabilities.dcb` is true; any other is refused with `DcbNotSupportedError` here. */
  readonly store: DcbEventStore;
  /** Decodes what the query selects (it must know every type the query can select) and encodes what is decided, tags included. */
  readonly registry: EventRegistry<Event>;
  readonly decider: Decider<Command, State, Event, Error>;
  /** Attempts per command, counting every failed condition and every unconfirmed append; default 10. */
  readonly maxAttempts?: number;
  /** Full-jitter backoff between attempts: `random() × min(maxDelayMs, baseDelayMs × 2^(n−1))`; default 2 ms and 200 ms. */
  readonly baseDelayMs?: number;
  readonly maxDelayMs?: number;
  readonly random?: () => number;
  readonly sleep?: (ms: number) => Promise<void>;
  /** The time of commands whose context has no `occurredAt`; default `() => new Date()`. */
  readonly clock?: () => Date;
}

/** Runs commands against one decider on query-defined boundaries. */
export interface DcbCommandHandler<Command, State, Event extends DomainEvent, Error> {
  /**
   * Reads and folds `boundary.query`, decides, and appends the decided events to `boundary.streamId` on the condition
   * that nothing the query selects was stored after the last event read; on a failed condition it reads and decides
   * again, with backoff, up to `maxAttempts`.
   */
  handle(boundary: DcbBoundary, command: Command, context?: CommandContext): Promise<E.Either<Error, HandledDcbCommand<State, Event>>>;
  /** Reads and folds a query without deciding anything. */
  load(query: Query): Promise<LoadedQuery<State>>;
}

/** The append decided on one read, sent again while its outcome is unknown. */
interface Attempted<State, Event> {
  readonly folded: LoadedQuery<State>;
  readonly events: readonly Event[];
  readonly newEvents: readonly NewEvent[];
}

/** What one read of a boundary found: the folded state, and the first handling of the watched command if it passed it. */
interface QueryRead<State, Event> {
  readonly folded: LoadedQuery<State>;
  readonly found: (LoadedQuery<State> & { readonly position: Position; readonly events: readonly Event[] }) | undefined;
}

/**
 * Builds the DCB command handler: the command handler's guarantees (bounded retries with backoff, idempotency by
 * command id, unknown outcomes sent again unchanged rather than decided again) for boundaries defined by a query
 * rather than by one stream. Decisions stay pure: `decide` sees only the state folded from the query's events.
 *
 * Idempotency. Event ids follow from the boundary's stream and the command id (`commandEventId`), so every attempt
 * and every handler sends the same events; a store answers an append of ids it holds with the original result, even
 * though those events now fail the condition. A repeat is recognised on the read when the query selects the
 * command's own events, as it does when the next decision must see them (a vote's query selects the attendee's
 * votes): it is answered with the first handling's events, the state right after them and their position.
 */
export const createDcbCommandHandler = <Command, State, Event extends DomainEvent, Error>(
  options: DcbCommandHandlerOptions<Command, State, Event, Error>,
): DcbCommandHandler<Command, State, Event, Error> => {
  const { store, registry, decider } = options;
  if (!supportsDcb(store)) {
    const { constructor } = store as object;
    throw new DcbNotSupportedError(
      `The store handed to createDcbCommandHandler (${typeof constructor === 'function' ? constructor.name : 'an object'})`,
      'its capabilities.dcb is not true, so it offers no conditional append across streams',
      'Use createCommandHandler with one stream per invariant on it, or a memory, SQLite or PostgreSQL store',
    );
  }
  const maxAttempts = positiveInteger('maxAttempts', options.maxAttempts, 10);
  const baseDelayMs = options.baseDelayMs ?? 2;
  const maxDelayMs = options.maxDelayMs ?? 200;
  const random = options.random ?? Math.random;
  const sleep = options.sleep ?? defaultSleep;
  const clock = options.clock ?? (() => new Date());

  /** Folds the query's events; with a command to watch for, also finds its events (ids from `commandEventId`). */
  const read = async (query: Query, watch?: { readonly streamId: string; readonly commandId: string }): Promise<QueryRead<State, Event>> => {
    let state = decider.initialState;
    let position: Position | undefined;
    let found: { events: Event[]; state: State; position: Position } | undefined;
    let inRun = false;
    const idAt = (index: number) => (watch === undefined ? undefined : commandEventId(watch.streamId, watch.commandId, index));
    for await (const recorded of store.read(query)) {
      const decoded = registry.decode(recorded);
      if (E.isLeft(decoded)) throw decoded.left;
      state = decider.evolve(state, decoded.right);
      position = recorded.position;
      if (watch === undefined || recorded.streamId !== watch.streamId) continue;
      // A command's events are one append, so they sit together in the log: the run that starts at its first id.
      const id = recorded.metadata.eventId.toLowerCase();
      if (found === undefined ? id === idAt(0) : inRun && id === idAt(found.events.length)) {
        const event = { type: decoded.right.type, data: decoded.right.data } as Event;
        found = { events: [...(found?.events ?? []), event], state, position };
        inRun = true;
      } else {
        inRun = false;
      }
    }
    return { folded: { state, position }, found };
  };

  const load = async (query: Query): Promise<LoadedQuery<State>> => (await read(assertValidQuery(query, 'load'))).folded;

  const handle = async (boundary: DcbBoundary, command: Command, context: CommandContext = {}): Promise<E.Either<Error, HandledDcbCommand<State, Event>>> => {
    const query = assertValidQuery(boundary.query, `the boundary of a command on stream "${boundary.streamId}"`);
    const { streamId } = boundary;
    const occurredAt = context.occurredAt === undefined ? clock() : instantOf(context.occurredAt);
    const commandId = commandIdOf(context.commandId);
    const correlationId = context.correlationId ?? commandId;
    const watch = { streamId, commandId };
    let unconfirmed: Attempted<State, Event> | undefined;
    let lastFailure: unknown;
    for (let attempt = 1; ; attempt++) {
      let attempted = unconfirmed;
      if (attempted === undefined) {
        const { folded, found } = await read(query, watch);
        if (found) return E.right({ ...found, attempts: attempt, repeated: true });
        const decision = decider.decide(command, folded.state);
        if (E.isLeft(decision)) return decision;
        const events = decision.right;
        if (events.length === 0) return E.right({ ...folded, events, attempts: attempt, repeated: false });
        const newEvents = toNewEvents(streamId, events.map((event) => registry.encode(event)), { now: () => occurredAt, commandId, correlationId });
        attempted = { folded, events, newEvents };
      }
      let failure: AppendFailureKind;
      try {
        const condition = attempted.folded.position === undefined ? { failIfEventsMatch: query } : { failIfEventsMatch: query, after: attempted.folded.position };
        const result = await store.append(streamId, attempted.newEvents, condition);
        const state = attempted.events.reduce(decider.evolve, attempted.folded.state);
        return E.right({ state, position: result.position, events: attempted.events, attempts: attempt, repeated: false });
      } catch (error) {
        failure = appendFailureKind(error);
        if (failure === 'final') {
          // Ids stored elsewhere are refused as "not a retry"; if they are this command's, that is its answer.
          if ((error as { code?: unknown }).code === 'INVALID_EVENT') {
            const { found } = await read(query, watch);
            if (found) return E.right({ ...found, attempts: attempt, repeated: true });
          }
          throw error;
        }
        lastFailure = error;
      }
      unconfirmed = failure === 'unknown' ? attempted : undefined;
      if (attempt >= maxAttempts) {
        if (unconfirmed) throw new CommandOutcomeUnknownError(streamId, commandId, attempt, { cause: lastFailure });
        throw new RetriesExhaustedError(streamId, attempt, { cause: lastFailure });
      }
      await sleep(random() * Math.min(maxDelayMs, baseDelayMs * 2 ** (attempt - 1)));
    }
  };

  return { handle, load };
};
