/**
 * The checks both command handlers (`createCommandHandler`, `createDcbCommandHandler`) apply to what a caller hands
 * them: a command's time and id, and the handler's counts. Module-internal: not exported from the package.
 */
import { newEventId } from './ids.js';

/** How the handlers wait between attempts unless given a `sleep`. */
export const defaultSleep = (ms: number): Promise<void> => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** RFC 3339 date-time: a calendar date, a time, and a zone (`Z` or an offset); fractions of a second optional. */
const RFC3339 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/i;

/** The instant of `occurredAt`, or a RangeError saying what to pass. */
export const instantOf = (occurredAt: string): Date => {
  const instant = new Date(occurredAt);
  if (typeof occurredAt !== 'string' || !RFC3339.test(occurredAt) || Number.isNaN(instant.getTime())) {
    throw new RangeError(`CommandContext.occurredAt ${JSON.stringify(occurredAt)} is not an RFC 3339 instant with a zone; ` +
      'pass e.g. "2020-11-10T09:00:00Z" or "2020-11-10T10:00:00+01:00"');
  }
  return instant;
};

/** The command's id: the one given (a non-empty string), or a fresh UUID v7; anything else is a RangeError. */
export const commandIdOf = (commandId: unknown): string => {
  if (commandId === undefined) return newEventId();
  if (typeof commandId !== 'string' || commandId.length === 0) {
    throw new RangeError(`CommandContext.commandId ${JSON.stringify(commandId) ?? String(commandId)} is not a non-empty string; ` +
      'pass the same string for every retry of one command (a UUID from newEventId(), or a request\'s idempotency key)');
  }
  return commandId;
};

/** An option's count, or `fallback` when left out; a RangeError naming it unless a whole number >= 1. */
export const positiveInteger = (name: string, value: number | undefined, fallback: number): number => {
  if (value === undefined) return fallback;
  if (!Number.isInteger(value) || value < 1) throw new RangeError(`CommandHandlerOptions.${name} is ${value}; give a whole number >= 1`);
  return value;
};

