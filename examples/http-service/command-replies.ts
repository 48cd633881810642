import * as E from 'fp-ts/lib/Either.js';
import * as t from 'io-ts';
import { formatPosition, type ExpectedRevision } from '@clusterconf/domain';
import type { CommandOutcome } from './command-requests.js';
import { admits, describeIfMatch, type IfMatch } from './entity-tags.js';
import { jsonReply, problemReply, type HttpReply } from './http-reply.js';
import { edgeProblem, refusalProblem } from './problem-details.js';

/** The response header that carries a write's log position, and that a GET may send back to read its own write. */
export const CONSISTENCY_HEADER = 'consistency-position';

/** The body of a command's answer. */
export const CommandReply = t.strict({
  /** The log position of the last event appended (or of the state decided on), for `?after=`. */
  position: t.union([t.string, t.null]),
  /** The revision of the command's stream after it: the ETag its resource now has, for the next `If-Match`. */
  revision: t.union([t.string, t.null]),
  events: t.array(t.string),
}, 'CommandReply');
export type CommandReply = t.TypeOf<typeof CommandReply>;

/** The revision a handled command was decided on: its stream's revision before its own events. */
const decidedAt = (revision: bigint | undefined, appended: number): ExpectedRevision =>
  revision === undefined || revision - BigInt(appended) < 0n ? 'no_stream' : revision - BigInt(appended);

/**
 * The answer to a command's outcome: 201 with the appended position (a string, also in `Consistency-Position`) and
 * the stream's new revision; 200 with no events when the command changed nothing (a repeated identical vote), with
 * the position and revision of the state it was decided on; the refusal as a problem (409, 422). A command sent with
 * `If-Match` whose decision was not taken at a revision it names is a 412, also when it appended nothing. Pure.
 */
export const commandReply = (outcome: CommandOutcome, instance: string, precondition?: IfMatch): HttpReply => {
  if (E.isLeft(outcome)) return problemReply(refusalProblem(outcome.left, instance));
  const { events, position, revision } = outcome.right;
  if (precondition !== undefined) {
    const at = decidedAt(revision, events.length);
    if (!admits(precondition, at)) {
      return problemReply(edgeProblem('precondition-failed', `${describeIfMatch(precondition)}, but the command was decided at ${at === 'no_stream' ? 'no revision: its stream does not exist' : `revision ${at}`}; ` +
        'GET the resource again, decide again on what it shows, and send its ETag', instance, { revision: revision === undefined ? null : revision.toString() }));
    }
  }
  const text = position === undefined ? null : formatPosition(position);
  const body: CommandReply = { position: text, revision: revision === undefined ? null : revision.toString(), events: events.map((event) => event.type) };
  return jsonReply(events.length === 0 ? 200 : 201, body, text === null ? undefined : { [CONSISTENCY_HEADER]: text });
};
