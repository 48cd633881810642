import type { Either } from 'fp-ts/lib/Either.js';

/**
 * The pure heart of a command handler: `evolve` folds events into state, `decide` turns a command and the current
 * state into new events or a domain error. Neither reads a clock, a random source or any I/O: time and ids come in
 * with the command.
 */
export interface Decider<Command, State, Event, Error> {
  readonly initialState: State;
  readonly evolve: (state: State, event: Event) => State;
  readonly decide: (command: Command, state: State) => Either<Error, readonly Event[]>;
}

/** Folds events into a state with a decider's `evolve`, starting from `initialState` or the given state. */
export const fold = <State, Event>(
  decider: Pick<Decider<unknown, State, Event, unknown>, 'initialState' | 'evolve'>,
  events: Iterable<Event>,
  from: State = decider.initialState,
): State => {
  let state = from;
  for (const event of events) state = decider.evolve(state, event);
  return state;
};
