import { inspect, isDeepStrictEqual } from 'node:util';
import * as E from 'fp-ts/lib/Either.js';
import type { Decider } from '../kernel/decider.js';
import { fold } from '../kernel/decider.js';

/**
 * The outcome a `thenEvents`/`thenError` assertion checks. It has no `then` member on purpose: an object with one is a
 * thenable, so `await given(d).when(c)` would call it as `then(resolve, reject)` and an assertion would run (and
 * fail, or pass vacuously) where nobody asked for one.
 */
export interface DeciderSpecification<Command, Event, Error> {
  /** Asserts the command produced exactly these events, in order (deep equality). */
  thenEvents(expected: readonly Event[]): void;
  /** Asserts the command was refused; pass the error, or a predicate over it. */
  thenError(expected: Error | ((error: Error) => boolean)): void;
  /** The raw decision, for assertions the two above do not cover. */
  readonly decision: E.Either<Error, readonly Event[]>;
  readonly command: Command;
}

/** Thrown when a specification does not hold; its message shows what was expected and what happened. */
export class SpecificationFailed extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SpecificationFailed';
  }
}

const show = (value: unknown): string => inspect(value, { depth: null, sorted: true, breakLength: 100 });

/**
 * Structural equality as `assert.deepStrictEqual` has it: key order does not matter; types, `NaN`, `undefined`
 * members, Maps, Sets, Dates and bigints do. (A comparison of JSON texts got all of these wrong one way or the other.)
 */
const deepEqual = (a: unknown, b: unknown): boolean => isDeepStrictEqual(a, b);

/**
 * Given-when-then for any decider, with no test framework dependency:
 * `given(decider, history).when(command).thenEvents(events)` or `.thenError(error)`.
 */
export const given = <Command, State, Event, Error>(decider: Decider<Command, State, Event, Error>, history: readonly NoInfer<Event>[] = []) => ({
  /** The state the history folds to, for assertions on `evolve`. */
  state: (): State => fold(decider, history),
  when: (command: Command): DeciderSpecification<Command, Event, Error> => {
    const decision = decider.decide(command, fold(decider, history));
    return {
      decision,
      command,
      thenEvents(expected) {
        if (E.isLeft(decision)) {
          throw new SpecificationFailed(`Expected events ${show(expected)}\nbut the command was refused with ${show(decision.left)}`);
        }
        if (!deepEqual(decision.right, expected)) {
          throw new SpecificationFailed(`Expected events ${show(expected)}\nbut got ${show(decision.right)}`);
        }
      },
      thenError(expected) {
        if (E.isRight(decision)) {
          throw new SpecificationFailed(`Expected the command to be refused\nbut it produced ${show(decision.right)}`);
        }
        const holds = typeof expected === 'function' ? (expected as (error: Error) => boolean)(decision.left) : deepEqual(decision.left, expected);
        if (!holds) throw new SpecificationFailed(`Expected error ${typeof expected === 'function' ? '(a predicate)' : show(expected)}\nbut got ${show(decision.left)}`);
      },
    };
  },
});
