import { ClusterconfError, CommandOutcomeUnknownError, RetriesExhaustedError, StoreClosedError, StoreUnavailableError, type JsonSchema } from '@clusterconf/domain';
import { WaitForPositionError } from '@clusterconf/projections';
import { problemReply, type HttpReply } from './http-reply.js';
import { edgeProblem, problemOf, unavailableProblemType } from './problem-details.js';
import { describeSchemaErrors, type SchemaError } from './validation-problems.js';

/** A request body that is not UTF-8 text. */
export class NotUtf8Error extends Error {
  readonly statusCode = 400;
  readonly code = 'NOT_UTF8';
  constructor() {
    super('The body is not UTF-8 text; send JSON encoded as UTF-8');
  }
}

/** A request body that is not JSON, with the parser's reason. */
export class InvalidJsonError extends Error {
  readonly statusCode = 400;
  readonly code = 'INVALID_JSON';
  constructor(reason: string) {
    super(`The body is not valid JSON (${reason}); send the command as a JSON object`);
  }
}

/** What the mapping reads of the request that failed. */
export interface FailedRequest {
  readonly url: string;
  readonly body: unknown;
  readonly query: unknown;
  /** The route's schemas, when it has any: validation errors are described against them. */
  readonly schema: { readonly body?: unknown; readonly querystring?: unknown } | undefined;
}

/** The fields of a Fastify error this mapping reads. */
interface EdgeError {
  readonly code?: string;
  readonly statusCode?: number;
  readonly message: string;
  readonly validation?: readonly SchemaError[];
  readonly validationContext?: string;
}

/** Errors of the stores and the runner that a retry later may cure. */
const unavailable = (error: unknown): error is ClusterconfError =>
  error instanceof WaitForPositionError || error instanceof RetriesExhaustedError || error instanceof CommandOutcomeUnknownError ||
  error instanceof StoreUnavailableError || error instanceof StoreClosedError;

/**
 * The problem answering an error thrown while serving a request, and whether it was unexpected (500, to be logged):
 * a failed schema validation is a 400 listing every wrong member, a body too large a 413, a body that is not JSON a
 * 415 or 400, a store or runner that cannot serve now a 503 with `Retry-After`. Pure.
 */
export const problemForError = (error: unknown, request: FailedRequest): { readonly reply: HttpReply; readonly unexpected: boolean } => {
  const instance = request.url;
  const expected = (reply: HttpReply) => ({ reply, unexpected: false });
  if (unavailable(error)) {
    // A client that sent no key learns the one its command got, and can send it again without applying it twice.
    const key = error instanceof CommandOutcomeUnknownError ? { idempotencyKey: error.commandId } : {};
    return expected(problemReply(problemOf(unavailableProblemType(error.code), error.message, instance, key), { 'retry-after': '1' }));
  }
  const edge = (typeof error === 'object' && error !== null ? error : { message: String(error) }) as EdgeError;
  if (edge.validation !== undefined) {
    const part = edge.validationContext === 'querystring' ? 'querystring' : 'body';
    const schema = (part === 'body' ? request.schema?.body : request.schema?.querystring) as JsonSchema | undefined;
    const errors = describeSchemaErrors(edge.validation, part === 'body' ? request.body : request.query, schema ?? {}, part);
    return part === 'body'
      ? expected(problemReply(edgeProblem('invalid-command', 'The body does not have the command\'s shape; fix the members listed in errors', instance, { errors })))
      : expected(problemReply(edgeProblem('invalid-query', 'The query is not understood; fix the parameters listed in errors', instance, { errors })));
  }
  switch (edge.code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return expected(problemReply(edgeProblem('body-too-large', `${edge.message}; a command is a small JSON object`, instance)));
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return expected(problemReply(edgeProblem('unsupported-media-type', 'The body is not JSON; send it with Content-Type: application/json', instance)));
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return expected(problemReply(edgeProblem('invalid-json', 'The body is empty; send the command as a JSON object', instance)));
    case 'NOT_UTF8':
    case 'INVALID_JSON':
      return expected(problemReply(edgeProblem('invalid-json', edge.message, instance)));
    default:
      break;
  }
  if (edge.statusCode !== undefined && edge.statusCode >= 400 && edge.statusCode < 500) {
    return expected(problemReply(problemOf({ name: 'bad-request', title: 'Request is malformed', status: edge.statusCode }, edge.message, instance)));
  }
  const detail = error instanceof ClusterconfError ? `${error.code}: ${error.message}` : 'The server failed unexpectedly; the error is in its log';
  return { reply: problemReply(edgeProblem('internal-error', detail, instance)), unexpected: true };
};
