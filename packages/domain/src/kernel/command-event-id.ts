import { v5 as uuidv5 } from 'uuid';

/** The UUID v5 namespace of command event ids; fixed forever, or the same command would get other ids after an upgrade. */
const COMMAND_EVENTS = 'beb5da21-1009-435a-9b74-80d62056c039';

/**
 * The id of the `index`-th event (0-based) that command `commandId` appends to `streamId`: a UUID v5, the same on every
 * attempt and in every process. That is what makes a command idempotent: a retried append carries the same ids, so the
 * store answers it with the original result, and a repeat of the command finds its events in the stream by id. The
 * stream is part of the name, so one id given to commands on two streams still yields two sets of events.
 */
export const commandEventId = (streamId: string, commandId: string, index: number): string =>
  // JSON keeps the parts apart whatever they contain: ["a","b",0] and ["a\",\"b",0] are different names.
  uuidv5(JSON.stringify([streamId, commandId, index]), COMMAND_EVENTS);
