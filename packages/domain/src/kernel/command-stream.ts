import * as E from 'fp-ts/lib/Either.js';
import { commandEventId } from './command-event-id.js';
import type { Decider } from './decider.js';
import type { DomainEvent } from './event.js';
import type { EventRegistry } from './event-registry.js';
import type { EventStore } from './event-store.js';
import { StreamNotFoundError } from './errors.js';
import type { Position } from './position.js';

/**
 * A stream's folded state, the revision it was folded up to and the global position of that event. Both are
 * `undefined` exactly when the stream has no events, so a caller that narrows on one has the other.
 */
export type LoadedStream<State> =
  | { readonly state: State; readonly revision: bigint; readonly position: Position }
  | { readonly state: State; readonly revision: undefined; readonly position: undefined };

/** Where a command's events already are in its stream: what handling it the first time returned. */
export interface FirstHandling<State, Event extends DomainEvent> {
  readonly events: readonly Event[];
  /** The state right after the command's events, whatever was appended since. */
  readonly state: State;
  readonly revision: bigint;
  readonly position: Position;
}

/** A folded stream as the handler keeps it, with the commands its events answer. */
export type FoldedStream<State> = LoadedStream<State> & {
  /**
   * The causation ids (command ids) of the events folded in, kept only when caching: a cached state hides the events
   * before its revision, and this says whether a repeated command is among them and the stream must be read whole.
   */
  readonly commands: Set<string>;
};

/** The public view of a folded stream, without the handler's bookkeeping. */
export const loadedOf = <State>({ state, revision, position }: FoldedStream<State>): LoadedStream<State> =>
  revision === undefined ? { state, revision, position: undefined } : { state, revision, position: position! };

/** What one read of a stream found. */
export interface StreamRead<State, Event extends DomainEvent> {
  readonly folded: FoldedStream<State>;
  /** Set when the read passed the events of the command it watched for. */
  readonly found: FirstHandling<State, Event> | undefined;
}

/** Options of `createCommandStreams`. */
export interface CommandStreamsOptions<State, Event extends DomainEvent> {
  readonly store: EventStore;
  readonly registry: EventRegistry<Event>;
  readonly decider: Pick<Decider<unknown, State, Event, unknown>, 'initialState' | 'evolve'>;
  /** How many folded streams to keep; 0 keeps none. */
  readonly cacheSize: number;
}

/** Reads and folds streams for a command handler, through a cache of folded states, watching for a command's events. */
export interface CommandStreams<State, Event extends DomainEvent> {
  /**
   * Folds the stream up to its end. With `commandId`, also finds that command's events (by the ids `commandEventId`
   * gives them). `whole` ignores the cache, for when the store said the events are there.
   */
  read(streamId: string, commandId?: string, whole?: boolean): Promise<StreamRead<State, Event>>;
  /** Keeps a folded stream unless a later one is kept already. */
  remember(streamId: string, folded: FoldedStream<State>): void;
}

/** Builds the stream reader of one command handler. */
export const createCommandStreams = <State, Event extends DomainEvent>(
  options: CommandStreamsOptions<State, Event>,
): CommandStreams<State, Event> => {
  const { store, registry, decider, cacheSize } = options;
  const cache = new Map<string, FoldedStream<State>>();

  const remember = (streamId: string, folded: FoldedStream<State>): void => {
    if (cacheSize <= 0 || folded.revision === undefined) return;
    const known = cache.get(streamId);
    if (known?.revision !== undefined && folded.revision < known.revision) return;
    cache.delete(streamId);
    cache.set(streamId, folded);
    if (cache.size > cacheSize) cache.delete(cache.keys().next().value as string);
  };

  const fold = async (streamId: string, start: FoldedStream<State> | undefined, commandId: string | undefined): Promise<StreamRead<State, Event>> => {
    let state = start?.state ?? decider.initialState;
    let revision = start?.revision;
    let position = start?.position;
    // Shared with the cached entry on purpose: it only grows with events of the stream, so a concurrent read adding
    // to it can only make a later repeat read the stream whole once more than needed.
    let commands = start?.commands ?? new Set<string>();
    const firstId = commandId === undefined ? undefined : commandEventId(streamId, commandId, 0);
    let found: { events: Event[]; state: State; revision: bigint; position: Position } | undefined;
    let inRun = false;
    try {
      const from = revision === undefined ? 'start' : revision + 1n;
      for await (const recorded of store.readStream(streamId, { fromRevision: from })) {
        const decoded = registry.decode(recorded);
        if (E.isLeft(decoded)) throw decoded.left;
        state = decider.evolve(state, decoded.right);
        revision = recorded.streamRevision;
        position = recorded.position;
        if (cacheSize > 0) commands.add(recorded.metadata.causationId);
        if (firstId === undefined) continue;
        // A command's events are one append, so they sit together: the run that starts at its first id.
        const id = recorded.metadata.eventId.toLowerCase();
        if (found === undefined ? id === firstId : inRun && id === commandEventId(streamId, commandId!, found.events.length)) {
          // The events as the decider made them, without the store's envelope, as the first handling returned them.
          const event = { type: decoded.right.type, data: decoded.right.data } as Event;
          found = { events: [...(found?.events ?? []), event], state, revision, position };
          inRun = true;
        } else {
          inRun = false;
        }
      }
    } catch (error) {
      if (!(error instanceof StreamNotFoundError)) throw error;
      // A stream that vanished since it was cached (deleted, or a fresh store) starts over.
      state = decider.initialState;
      revision = undefined;
      position = undefined;
      commands = new Set();
      found = undefined;
    }
    const folded = (revision === undefined ? { state, revision, position: undefined, commands } : { state, revision, position: position!, commands }) as FoldedStream<State>;
    return { folded, found };
  };

  const read = async (streamId: string, commandId?: string, whole = false): Promise<StreamRead<State, Event>> => {
    const cached = cache.get(streamId);
    // A command among the cached events is not in the tail: only a read from the start finds its first result.
    const start = whole || (commandId !== undefined && cached?.commands.has(commandId)) ? undefined : cached;
    const result = await fold(streamId, start, commandId);
    remember(streamId, result.folded);
    return result;
  };

  return { read, remember };
};
