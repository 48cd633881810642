import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import * as E from 'fp-ts/lib/Either.js';
import {
  ClusterconfError, CommandOutcomeUnknownError, RetriesExhaustedError, StoreClosedError, StoreUnavailableError, conferenceEvents, createConferenceService,
  formatPosition, type ConferenceEvent, type ConferenceService, type EventStore,
} from '@clusterconf/domain';
import {
  WaitForPositionError, conferenceProjections, createProjectionRunner, namespaceOf, type Projection, type ProjectionRunner,
  type ReadModelStore,
} from '@clusterconf/projections';
import { CONSISTENCY_HEADER, commandReply, decodeCommandBody } from './command-replies.js';
import { commandNames } from './command-requests.js';
import { errorReply, jsonReply, type HttpReply } from './http-reply.js';
import { builtInReadModels, type ReadModelEntry } from './read-model-catalogue.js';
import { isJsonContentType, readRequestBody } from './request-body.js';
import { matchRoute, type Route } from './routes.js';

/** Options of `createConferenceHttpService`. */
export interface ConferenceHttpServiceOptions {
  readonly eventStore: EventStore;
  readonly readModelStore: ReadModelStore;
  /** Largest accepted request body; larger ones get 413. Default 64 KiB. */
  readonly maxBodyBytes?: number;
  /** How long a GET with `?after=` waits for the read models to reach the position before a 503. Default 5000 ms. */
  readonly waitTimeoutMs?: number;
  /** The time commands record as `occurredAt`. Default: the system clock. */
  readonly clock?: () => Date;
  /**
   * More read models to run and serve beside the built-in ones, by URL name, e.g. your own projection:
   * `{ 'votes-per-country': { projection: votesPerCountryProjection, collection: 'ballots', idHint: '<conferenceId>.<ballotId>' } }`.
   */
  readonly readModels?: Readonly<Record<string, ReadModelEntry>>;
  /** Where unexpected errors are reported. Default: `console.error`. */
  readonly logError?: (error: unknown) => void;
}

/** The HTTP service: a `node:http` server plus the projection runner it starts and stops with it. */
export interface ConferenceHttpService {
  readonly server: Server;
  readonly runner: ProjectionRunner<ConferenceEvent>;
  /** Starts the runner, then listens; resolves with the base URL (port 0 picks a free port). */
  listen(port?: number, host?: string): Promise<string>;
  /**
   * Stops accepting connections, stops the runner (GETs still waiting for a position get 503), and resolves once the
   * requests in flight are answered. Leaves the stores open: they belong to the caller.
   */
  close(): Promise<void>;
}

const DEFAULT_MAX_BODY_BYTES = 64 * 1024;
const DEFAULT_WAIT_TIMEOUT_MS = 5000;
/** The request header naming a command, so that sending it again after a lost answer cannot apply it twice. */
const IDEMPOTENCY_HEADER = 'idempotency-key';
/** Keys become every event's causationId: a UUID fits many times over, a document does not. */
const MAX_IDEMPOTENCY_KEY_LENGTH = 200;

/** Errors of the stores and the runner that a retry later may cure: 503, with the error's code. */
const unavailable = (error: unknown): boolean =>
  error instanceof WaitForPositionError || error instanceof RetriesExhaustedError || error instanceof CommandOutcomeUnknownError ||
  error instanceof StoreUnavailableError || error instanceof StoreClosedError;

/** Embeds the conference library in an HTTP service: commands in, read models out, with read-your-writes. */
export const createConferenceHttpService = (options: ConferenceHttpServiceOptions): ConferenceHttpService => {
  const { eventStore, readModelStore } = options;
  const maxBodyBytes = options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
  const waitTimeoutMs = options.waitTimeoutMs ?? DEFAULT_WAIT_TIMEOUT_MS;
  const clock = options.clock ?? (() => new Date());
  const logError = options.logError ?? ((error: unknown) => console.error(error));
  const service: ConferenceService = createConferenceService({ store: eventStore, cacheSize: 64 });
  const readModels: Readonly<Record<string, ReadModelEntry>> = { ...builtInReadModels, ...options.readModels };
  // One runner for all: a projection served under several names (or collections) still runs once.
  const projections = new Map<string, Projection<ConferenceEvent>>(conferenceProjections.map((projection) => [projection.name, projection]));
  for (const { projection } of Object.values(readModels)) projections.set(projection.name, projection);
  const runner = createProjectionRunner<ConferenceEvent>({
    eventStore, readModelStore, registry: conferenceEvents, projections: [...projections.values()],
  });
  const names = { commands: commandNames, readModels: Object.keys(readModels) };

  const namespaceFor = async (projection: Projection<ConferenceEvent>): Promise<string> =>
    namespaceOf(projection.name, (await readModelStore.activeVersion(projection.name)) ?? projection.version);

  const runCommand = async (command: string, request: IncomingMessage): Promise<HttpReply> => {
    if (!isJsonContentType(request.headers['content-type'])) {
      return errorReply(415, { error: 'UnsupportedMediaType', message: `Content-Type ${request.headers['content-type']} is not JSON; send application/json` });
    }
    const body = await readRequestBody(request, maxBodyBytes);
    if (body.kind === 'too-large') {
      return errorReply(413, { error: 'BodyTooLarge', message: `The body is larger than ${body.limit} bytes; a command is a small JSON object` }, { connection: 'close' });
    }
    if (body.kind === 'aborted') return errorReply(400, { error: 'RequestAborted', message: 'The client closed the request before sending its whole body' });
    if (body.kind === 'not-utf8') return errorReply(400, { error: 'InvalidJson', message: 'The body is not UTF-8 text; send JSON encoded as UTF-8' });
    const bound = decodeCommandBody(command, body.text);
    if (E.isLeft(bound)) return bound.left;
    const correlationId = request.headers['correlation-id'];
    const commandId = request.headers[IDEMPOTENCY_HEADER];
    if (commandId !== undefined && (typeof commandId !== 'string' || commandId.length === 0 || commandId.length > MAX_IDEMPOTENCY_KEY_LENGTH)) {
      return errorReply(400, { error: 'InvalidIdempotencyKey', message: `The Idempotency-Key header has ${String(commandId).length} characters; ` +
        `send 1 to ${MAX_IDEMPOTENCY_KEY_LENGTH}, one key per command (a UUID, say), and the same key when you send that command again` });
    }
    // An empty correlation header names no request: the stores refuse an empty correlationId, so the command id stands in.
    const context = {
      occurredAt: clock().toISOString(),
      ...(typeof correlationId === 'string' && correlationId !== '' ? { correlationId } : {}),
      ...(commandId === undefined ? {} : { commandId }),
    };
    return commandReply(await bound.right(service, context));
  };

  const readModel = async (route: Extract<Route, { kind: 'read-document' | 'list-documents' }>): Promise<HttpReply> => {
    const entry = readModels[route.readModel] as ReadModelEntry;
    if (route.after !== undefined) await runner.waitFor(route.after, { timeoutMs: waitTimeoutMs });
    const namespace = await namespaceFor(entry.projection);
    if (route.kind === 'read-document') {
      const document = await readModelStore.readDocument(namespace, entry.collection, route.id);
      return document === undefined
        ? errorReply(404, {
            error: 'DocumentNotFound',
            message: `Read model ${route.readModel} has no document "${route.id}"; its ids are ${entry.idHint}, and it may not have seen the write yet: pass ?after=<position>`,
          })
        : jsonReply(200, document);
    }
    const documents = await readModelStore.listDocuments(namespace, entry.collection, {
      limit: route.limit, ...(route.afterId === undefined ? {} : { afterId: route.afterId }),
    });
    const nextAfterId = documents.length === route.limit ? documents[documents.length - 1]!.id : null;
    return jsonReply(200, { documents, nextAfterId });
  };

  const status = async (): Promise<HttpReply> => {
    const projections = (await runner.status()).map((entry) => ({
      name: entry.name,
      version: entry.version,
      role: entry.role,
      state: entry.state,
      position: entry.position === undefined ? null : formatPosition(entry.position),
      headPosition: entry.headPosition === undefined ? null : formatPosition(entry.headPosition),
      lag: entry.lag ?? null,
      lagIs: entry.lagIs,
      eventsPerSecond: entry.eventsPerSecond,
      ...(entry.error ? { error: entry.error.message } : {}),
      ...(entry.nextAttemptAt ? { nextAttemptAt: entry.nextAttemptAt } : {}),
      ...(entry.heldBy ? { heldBy: entry.heldBy } : {}),
    }));
    return jsonReply(200, { projections });
  };

  const answer = async (request: IncomingMessage): Promise<HttpReply> => {
    const consistency = request.headers[CONSISTENCY_HEADER];
    const route = matchRoute(
      { method: request.method ?? 'GET', url: request.url ?? '/', consistencyPosition: typeof consistency === 'string' ? consistency : undefined },
      names,
    );
    if (E.isLeft(route)) return route.left;
    switch (route.right.kind) {
      case 'command':
        return runCommand(route.right.command, request);
      case 'read-document':
      case 'list-documents':
        return readModel(route.right);
      case 'status':
        return status();
    }
  };

  const failureReply = (error: unknown): HttpReply => {
    if (unavailable(error)) {
      const { code, message } = error as ClusterconfError;
      // A client that sent no key learns the one its command got, and can send it again without applying it twice.
      const key = error instanceof CommandOutcomeUnknownError ? { idempotencyKey: error.commandId } : {};
      return errorReply(503, { error: code, message, ...key }, { 'retry-after': '1' });
    }
    logError(error);
    return error instanceof ClusterconfError
      ? errorReply(500, { error: error.code, message: error.message })
      : errorReply(500, { error: 'InternalError', message: 'The server failed unexpectedly; the error is in its log' });
  };

  const write = (response: ServerResponse, reply: HttpReply): void => {
    if (response.headersSent || response.destroyed) return;
    response.writeHead(reply.status, { 'content-type': 'application/json; charset=utf-8', ...reply.headers });
    response.end(JSON.stringify(reply.body));
  };

  const server = createServer((request, response) => {
    answer(request).catch(failureReply).then((reply) => write(response, reply), logError);
  });

  return {
    server,
    runner,
    listen: async (port = 0, host = '127.0.0.1') => {
      await runner.start();
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject);
        server.listen(port, host, () => {
          server.off('error', reject);
          resolve();
        });
      });
      const address = server.address() as AddressInfo;
      const shownHost = address.family === 'IPv6' ? `[${address.address}]` : address.address;
      return `http://${shownHost}:${address.port}`;
    },
    close: async () => {
      const closed = server.listening
        ? new Promise<void>((resolve, reject) => server.close((error) => (error ? reject(error) : resolve())))
        : Promise.resolve();
      server.closeIdleConnections();
      // Stopping the runner first answers GETs still waiting for a position (503) instead of holding the close
      // for up to waitTimeoutMs; commands in flight finish, as they do not depend on the runner.
      await runner.stop();
      await closed;
    },
  };
};
