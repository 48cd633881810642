import * as E from 'fp-ts/lib/Either.js';
import { appendFailureKind, type AppendFailureKind } from './append-failure.js';
import { createCommandStreams, loadedOf, type FoldedStream, type LoadedStream } from './command-stream.js';
import type { Decider } from './decider.js';
import type { DomainEvent, NewEvent } from './event.js';
import type { EventRegistry } from './event-registry.js';
import type { EventStore } from './event-store.js';
import { CommandOutcomeUnknownError, RetriesExhaustedError } from './errors.js';
import { commandIdOf, defaultSleep, instantOf, positiveInteger } from './command-inputs.js';
import { toNewEvents } from './new-events.js';

export type { FirstHandling, LoadedStream } from './command-stream.js';

/** Who asked, and when: time and ids come in with the command so that deciders stay pure. */
export interface CommandContext {
  /**
   * The instant the resulting events record as `occurredAt`: RFC 3339 with a zone, `2020-11-10T09:00:00Z` or
   * `2020-11-10T10:00:00.5+01:00`. A time without `Z` or an offset is refused, as it would mean another instant on a
   * machine in another time zone. Default: the handler's `clock`, read once per command.
   */
  readonly occurredAt?: string;
  /**
   * Names the command, so that handling it twice appends its events once: a repeat (concurrent, after an unknown
   * outcome, after a restart) is answered with the first handling's result. Give each command its own id, and its
   * retries the same one (an HTTP request's idempotency key, say). Becomes each event's `causationId`. Default: a
   * fresh UUID v7, which makes the handler's own retries safe but not a caller's.
   */
  readonly commandId?: string;
  /** Defaults to the command id. */
  readonly correlationId?: string;
}

/**
 * What a handled command produced. `position` is the global position of the last event `state` reflects: the last
 * appended one, or, when nothing was appended, the stream's last event, so `waitFor(position)` reads what the decision
 * saw. It (like `revision`) is `undefined` only when the stream has no events at all.
 */
export type HandledCommand<State, Event extends DomainEvent> = LoadedStream<State> & {
  /** The events appended, in order; empty when the decider decided nothing needed to change. */
  readonly events: readonly Event[];
  /** How many attempts it took: 1 unless a concurrent writer won a race or the store did not confirm an append. */
  readonly attempts: number;
  /**
   * True when the stream already held this command's events (same `commandId`): `events`, `state`, `revision` and
   * `position` are then those of the first handling, and nothing was appended now.
   */
  readonly repeated: boolean;
};

/** Options of `createCommandHandler`. */
export interface CommandHandlerOptions<Command, State, Event extends DomainEvent, Error> {
  readonly store: EventStore;
  readonly registry: EventRegistry<Event>;
  readonly decider: Decider<Command, State, Event, Error>;
  /**
   * How many attempts a command gets, counting every append that conflicted or was not confirmed; default 10. Then
   * `RetriesExhaustedError` (the last lost a race) or `CommandOutcomeUnknownError` (the last was not confirmed).
   */
  readonly maxAttempts?: number;
  /**
   * Backoff between attempts, full jitter: after failed attempt n (1-based) the handler sleeps `random()` times
   * min(maxDelayMs, baseDelayMs * 2^(n-1)), and never after the last; default 2 ms and 200 ms.
   */
  readonly baseDelayMs?: number;
  readonly maxDelayMs?: number;
  /**
   * Keep folded states of up to this many streams in memory, so a command reads only the events appended since the
   * last one. The cache is only a starting point: every command still reads the stream's tail, so it stays correct
   * with other writers. Default 0 (off).
   */
  readonly cacheSize?: number;
  /** The jitter source, uniform in [0, 1); default `Math.random`. */
  readonly random?: () => number;
  /** How the backoff waits; default `setTimeout`. */
  readonly sleep?: (ms: number) => Promise<void>;
  /** The time of commands whose context has no `occurredAt`; default `() => new Date()`. */
  readonly clock?: () => Date;
}

/** Runs commands against one decider: read and fold, decide, append with the revision read, retry on conflict. */
export interface CommandHandler<Command, State, Event extends DomainEvent, Error> {
  handle(streamId: string, command: Command, context?: CommandContext): Promise<E.Either<Error, HandledCommand<State, Event>>>;
  /** Reads and folds a stream without deciding anything. */
  load(streamId: string): Promise<LoadedStream<State>>;
}

/** An append the handler has decided and sends (again, while its outcome is unknown). */
interface Attempted<State, Event> {
  readonly folded: FoldedStream<State>;
  readonly events: readonly Event[];
  readonly newEvents: readonly NewEvent[];
}

/** Builds a command handler; see `CommandHandlerOptions` for retries, caching and time. */
export const createCommandHandler = <Command, State, Event extends DomainEvent, Error>(
  options: CommandHandlerOptions<Command, State, Event, Error>,
): CommandHandler<Command, State, Event, Error> => {
  const { store, registry, decider } = options;
  const maxAttempts = positiveInteger('maxAttempts', options.maxAttempts, 10);
  const baseDelayMs = options.baseDelayMs ?? 2;
  const maxDelayMs = options.maxDelayMs ?? 200;
  const random = options.random ?? Math.random;
  const sleep = options.sleep ?? defaultSleep;
  const clock = options.clock ?? (() => new Date());
  const streams = createCommandStreams({ store, registry, decider, cacheSize: options.cacheSize ?? 0 });

  const load = async (streamId: string): Promise<LoadedStream<State>> => loadedOf((await streams.read(streamId)).folded);

  const handle = async (streamId: string, command: Command, context: CommandContext = {}): Promise<E.Either<Error, HandledCommand<State, Event>>> => {
    const occurredAt = context.occurredAt === undefined ? clock() : instantOf(context.occurredAt);
    const commandId = commandIdOf(context.commandId);
    const correlationId = context.correlationId ?? commandId;
    // The one append whose outcome is unknown: while set, only it is sent again, never a new decision.
    let unconfirmed: Attempted<State, Event> | undefined;
    // Set when the store said this command's events are stored: the next read ignores the cache to find them.
    let readWhole = false;
    let lastFailure: unknown;
    for (let attempt = 1; ; attempt++) {
      let attempted = unconfirmed;
      if (attempted === undefined) {
        const { folded, found } = await streams.read(streamId, commandId, readWhole);
        if (found) return E.right({ ...found, attempts: attempt, repeated: true });
        const decision = decider.decide(command, folded.state);
        if (E.isLeft(decision)) return decision;
        const events = decision.right;
        if (events.length === 0) return E.right({ ...loadedOf(folded), events, attempts: attempt, repeated: false });
        // Ids follow from the command id, so every attempt, and every handler, sends the same events.
        const newEvents = toNewEvents(streamId, events.map((event) => registry.encode(event)), { now: () => occurredAt, commandId, correlationId });
        attempted = { folded, events, newEvents };
      }
      const expected = (attempted.folded.revision ?? -1n) + BigInt(attempted.events.length);
      let failure: AppendFailureKind;
      try {
        const result = await store.appendToStream(streamId, attempted.newEvents, { expectedRevision: attempted.folded.revision ?? 'no_stream' });
        if (result.nextExpectedRevision === expected) {
          const state = attempted.events.reduce(decider.evolve, attempted.folded.state);
          const commands = attempted.folded.commands.add(commandId);
          streams.remember(streamId, { state, revision: expected, position: result.position, commands });
          return E.right({ state, revision: expected, position: result.position, events: attempted.events, attempts: attempt, repeated: false });
        }
        // The store took the ids for a retry of events stored at another revision: this command's, appended by another
        // handler that decided on another state. They are the first result; the next read finds them.
        failure = 'stored';
        lastFailure = undefined;
      } catch (error) {
        failure = appendFailureKind(error);
        if (failure === 'final') {
          // A store refuses ids it holds elsewhere as "not a retry"; if they are this command's, that is its answer.
          if ((error as { code?: unknown }).code === 'INVALID_EVENT') {
            const { found } = await streams.read(streamId, commandId, true);
            if (found) return E.right({ ...found, attempts: attempt, repeated: true });
          }
          throw error;
        }
        lastFailure = error;
      }
      unconfirmed = failure === 'unknown' ? attempted : undefined;
      readWhole = failure === 'stored';
      if (attempt >= maxAttempts) {
        if (unconfirmed) throw new CommandOutcomeUnknownError(streamId, commandId, attempt, { cause: lastFailure });
        throw new RetriesExhaustedError(streamId, attempt, { cause: lastFailure });
      }
      // After a conflict the cached state is still a true prefix of the stream: the next read gets only the winner's events.
      await sleep(random() * Math.min(maxDelayMs, baseDelayMs * 2 ** (attempt - 1)));
    }
  };

  return { handle, load };
};
