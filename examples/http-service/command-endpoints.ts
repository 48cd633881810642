import * as E from 'fp-ts/lib/Either.js';
import { createConferenceService, toJsonSchema, type ConferenceService, type EventStore } from '@clusterconf/domain';
import { CommandReply, commandReply } from './command-replies.js';
import { commandNames, commandRoutes } from './command-requests.js';
import { PreconditionFailedError, conditionalEventStore } from './conditional-event-store.js';
import type { ResponseDoc, Route } from './endpoint.js';
import { parseIfMatch, type IfMatch } from './entity-tags.js';
import { problemReply } from './http-reply.js';
import { PROBLEM_MEDIA_TYPE, edgeProblem } from './problem-details.js';

/** The request header naming a command, so that sending it again after a lost answer cannot apply it twice. */
export const IDEMPOTENCY_HEADER = 'idempotency-key';
/** Keys become every event's causationId: a UUID fits many times over, a document does not. */
export const MAX_IDEMPOTENCY_KEY_LENGTH = 200;

const problem = (description: string): ResponseDoc => ({ description, contentType: PROBLEM_MEDIA_TYPE });
const replySchema = toJsonSchema(CommandReply);

/** What the command endpoints use. */
export interface CommandEndpointsDeps {
  readonly eventStore: EventStore;
  /** The service commands without `If-Match` run on; its caches keep the streams folded. */
  readonly service: ConferenceService;
  readonly clock: () => Date;
}

/** One header's single value, or undefined; a repeated header is a list, and none of these may be repeated. */
const single = (value: string | string[] | undefined): string | undefined => (Array.isArray(value) ? value.join(', ') : value);

/** `POST /commands/<name>` for every command: the body is the command, validated against the schema of its codec. */
export const commandEndpoints = ({ eventStore, service, clock }: CommandEndpointsDeps): Route[] =>
  commandNames.map((name): Route => {
    const route = commandRoutes[name];
    return {
      method: 'POST',
      url: `/commands/${name}`,
      operationId: name,
      summary: `Runs ${route.command}`,
      tag: 'commands',
      body: route.schema,
      headers: [
        { name: 'Idempotency-Key', description: `1 to ${MAX_IDEMPOTENCY_KEY_LENGTH} characters naming this command: sent again with the same key, it is applied once and answered as the first time` },
        { name: 'Correlation-Id', description: 'Becomes the events\' correlationId' },
        { name: 'If-Match', description: 'The ETag of the command\'s stream (GET /conferences/<id>, /awards/<id>, /alliances/<id>): the command is appended at that revision or not at all (412)' },
      ],
      responses: {
        201: { description: 'Appended: the position of the last event and the stream\'s new revision', schema: replySchema, headers: { 'Consistency-Position': 'The position, for a GET that must see this write' } },
        200: { description: 'Nothing needed to change (a repeated identical vote): the position and revision the decision saw', schema: replySchema },
        400: problem('The body is not JSON or not the command\'s shape (`errors` lists each member), or a header is malformed'),
        409: problem('The current state refuses the command (already voted, ballot closed, not scheduled…)'),
        412: problem('If-Match named another revision than the stream\'s'),
        413: problem('The body is over the limit'),
        415: problem('The body is not JSON'),
        422: problem('A value breaks a domain rule (a bad slug, an unknown country, a candidate not on the shortlist)'),
        503: problem('A store is unavailable, the command lost too many write races, or its outcome is unknown (`idempotencyKey` to send it again with)'),
      },
      handler: async (request) => {
        const instance = request.url;
        const commandId = single(request.headers[IDEMPOTENCY_HEADER]);
        if (commandId !== undefined && (commandId.length === 0 || commandId.length > MAX_IDEMPOTENCY_KEY_LENGTH)) {
          return problemReply(edgeProblem('invalid-header', `The Idempotency-Key header has ${commandId.length} characters; send 1 to ${MAX_IDEMPOTENCY_KEY_LENGTH}, ` +
            'one key per command (a UUID, say), and the same key when you send that command again', instance, { errors: [{ header: 'Idempotency-Key', detail: `${commandId.length} characters` }] }));
        }
        const ifMatch = single(request.headers['if-match']);
        let precondition: IfMatch | undefined;
        if (ifMatch !== undefined) {
          const parsed = parseIfMatch(ifMatch);
          if (E.isLeft(parsed)) return problemReply(edgeProblem('invalid-header', `If-Match: ${parsed.left}`, instance, { errors: [{ header: 'If-Match', detail: parsed.left }] }));
          precondition = parsed.right;
        }
        // Fastify checked the body against the codec's schema; decoding gives it the codec's type.
        const bound = route.bind(request.body);
        if (E.isLeft(bound)) {
          return problemReply(edgeProblem('invalid-command', `The ${route.command} body does not have the command's shape`, instance, { errors: bound.left.map((detail) => ({ pointer: '#', detail })) }));
        }
        // An empty correlation header names no request: the stores refuse an empty correlationId, so the command id stands in.
        const correlationId = single(request.headers['correlation-id']);
        const context = {
          occurredAt: clock().toISOString(),
          ...(correlationId !== undefined && correlationId !== '' ? { correlationId } : {}),
          ...(commandId === undefined ? {} : { commandId }),
        };
        // A conditional command gets a service of its own, on a store that appends only at the revision it names; it
        // reads its stream whole, as the shared caches cannot be conditional.
        const runOn = precondition === undefined ? service : createConferenceService({ store: conditionalEventStore(eventStore, precondition), cacheSize: 0 });
        try {
          return commandReply(await bound.right(runOn, context), instance, precondition);
        } catch (error) {
          if (error instanceof PreconditionFailedError) return problemReply(edgeProblem('precondition-failed', error.message, instance));
          throw error;
        }
      },
    };
  });
