import * as E from 'fp-ts/lib/Either.js';
import { conferenceErrorKind, formatPosition, type ConferenceError } from '@clusterconf/domain';
import { commandRoutes, type BoundCommand, type CommandOutcome } from './command-requests.js';
import { errorReply, jsonReply, type HttpReply } from './http-reply.js';

/** The response header that carries a write's log position, and that a GET may send back to read its own write. */
export const CONSISTENCY_HEADER = 'consistency-position';

/**
 * Parses and checks a command's body text: 400 `InvalidJson` when it is not JSON, 400 `InvalidCommand` with one
 * "path: expected …, got …" problem per field when it has the wrong shape. Pure.
 */
export const decodeCommandBody = (command: string, text: string): E.Either<HttpReply, BoundCommand> => {
  const route = commandRoutes[command];
  if (route === undefined) return E.left(errorReply(404, { error: 'NotFound', message: `There is no command "${command}"` }));
  if (text.trim() === '') {
    return E.left(errorReply(400, { error: 'InvalidJson', message: 'The body is empty; send the command as a JSON object', problems: ['(root): expected a JSON object, got nothing'] }));
  }
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch (error) {
    const reason = (error as Error).message;
    return E.left(errorReply(400, { error: 'InvalidJson', message: `The body is not valid JSON (${reason}); send the command as a JSON object`, problems: [`(root): ${reason}`] }));
  }
  const bound = route.bind(body);
  return E.isLeft(bound)
    ? E.left(errorReply(400, { error: 'InvalidCommand', message: `The ${command} body does not have the command's shape; fix the fields listed in problems`, problems: bound.left }))
    : E.right(bound.right);
};

/**
 * The status of a domain refusal: 422 when a value breaks a rule (a bad slug, an unknown country, a candidate not on
 * the shortlist), 409 when the conference's current state refuses the command (already voted, ballot closed, not
 * registered, not scheduled…). The body carries the domain error's `code`, `message` and data.
 */
export const refusalStatus = (error: ConferenceError): 409 | 422 => (conferenceErrorKind(error) === 'invalid-input' ? 422 : 409);

/**
 * The reply to a command's outcome: 201 with the appended position (a string, also in `Consistency-Position`); 200
 * with no events when the command changed nothing (a repeated identical vote), and the position of the state it was
 * decided on, so a GET after it sees what the decision saw (`null` when the stream is empty); or the refusal. A
 * command repeated with its Idempotency-Key gets its first reply again. Pure.
 */
export const commandReply = (outcome: CommandOutcome): HttpReply => {
  if (E.isLeft(outcome)) {
    const { code, message, ...details } = outcome.left;
    return errorReply(refusalStatus(outcome.left), { ...details, error: code, message });
  }
  const { events, position } = outcome.right;
  const text = position === undefined ? null : formatPosition(position);
  const headers = text === null ? undefined : { [CONSISTENCY_HEADER]: text };
  return jsonReply(events.length === 0 ? 200 : 201, { position: text, events: events.map((event) => event.type) }, headers);
};
