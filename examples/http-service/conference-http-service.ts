import type { Server } from 'node:http';
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyServerOptions } from 'fastify';
import { conferenceEvents, createConferenceService, type ConferenceEvent, type EventStore, type KeyStore } from '@clusterconf/domain';
import { MemoryKeyStore, withPersonalData } from '@clusterconf/adapters/personal-data';
import { conferenceProjections, createProjectionRunner, type Projection, type ProjectionRunner, type ReadModelStore } from '@clusterconf/projections';
import { commandEndpoints } from './command-endpoints.js';
import { createConferenceFeeds, type ConferenceFeeds } from './conference-feed.js';
import type { Route } from './endpoint.js';
import { fastifySchemaOf } from './endpoint.js';
import { problemForError } from './error-problems.js';
import { problemReply, type HttpReply } from './http-reply.js';
import { acceptJsonBodies } from './json-bodies.js';
import { liveEndpoints, readLiveSnapshot } from './live-endpoints.js';
import { openApiDocument } from './openapi.js';
import { operationalEndpoints } from './operational-endpoints.js';
import { personalDataEndpoints } from './personal-data-endpoints.js';
import { edgeProblem } from './problem-details.js';
import { builtInReadModels, type ReadModelEntry } from './read-model-catalogue.js';
import { readModelEndpoints } from './read-model-endpoints.js';
import { resourceEndpoints } from './resource-endpoints.js';
import { createStreamResources } from './stream-resources.js';

/** Options of `createConferenceHttpService`. */
export interface ConferenceHttpServiceOptions {
  readonly eventStore: EventStore;
  readonly readModelStore: ReadModelStore;
  /**
   * Where the attendees' keys live: their names are stored sealed under them, and `DELETE
   * /attendees/<conferenceId>/<attendeeId>/personal-data` deletes one. Default: a `MemoryKeyStore`, whose keys end with
   * the process, after which every name reads as forgotten; give a durable one beside a durable log (`main.ts`:
   * a `SqliteKeyStore` in the same file). Like the stores, it belongs to the caller and stays open.
   */
  readonly keyStore?: KeyStore;
  /** Largest accepted request body; larger ones get a 413 problem. Default 64 KiB. */
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
  /**
   * The request log, as Fastify takes it: `false` (the default: quiet), `true`, or pino options such as
   * `{ level: 'info' }`. The projection runner logs through the same logger.
   */
  readonly logger?: FastifyServerOptions['logger'];
  /** How often a live page's event stream sends a keep-alive comment. Default 15 000 ms. */
  readonly heartbeatMs?: number;
}

/** The HTTP service: a Fastify app plus the projection runner and live feeds it starts and stops with it. */
export interface ConferenceHttpService {
  readonly app: FastifyInstance;
  readonly server: Server;
  readonly runner: ProjectionRunner<ConferenceEvent>;
  readonly feeds: ConferenceFeeds;
  /** Starts the runner, then listens; resolves with the base URL (port 0 picks a free port). */
  listen(port?: number, host?: string): Promise<string>;
  /**
   * Shuts down gracefully: new requests get 503, live event streams end, the runner stops (GETs still waiting for a
   * position get 503 at once), the server stops accepting and the requests in flight are answered. Leaves the stores
   * open: they belong to the caller.
   */
  close(): Promise<void>;
}

const DEFAULT_MAX_BODY_BYTES = 64 * 1024;
const DEFAULT_WAIT_TIMEOUT_MS = 5000;
/** Every method Fastify routes; a path served for some answers 405 for the others. */
const METHODS = ['DELETE', 'GET', 'HEAD', 'OPTIONS', 'PATCH', 'POST', 'PUT'] as const;

/**
 * How Fastify's Ajv reads the schemas: exactly as the codecs mean them, so no coercion ("1" is no number), no defaults,
 * no silent removal of unknown members, and every wrong member reported at once (their number bounded by the body limit).
 */
export const AJV_OPTIONS = { coerceTypes: false, useDefaults: false, removeAdditional: false, allErrors: true } as const;

const write = async (reply: FastifyReply, answer: HttpReply): Promise<FastifyReply> => {
  reply.code(answer.status);
  if (answer.headers) reply.headers(answer.headers);
  return answer.body === undefined ? reply.send() : reply.send(answer.body);
};

/** Embeds the conference library in an HTTP service: commands in, read models and streams out, with read-your-writes. */
export const createConferenceHttpService = (options: ConferenceHttpServiceOptions): ConferenceHttpService => {
  const { readModelStore } = options;
  const keyStore = options.keyStore ?? new MemoryKeyStore();
  // Every path of the service, commands, resources, feeds and the runner, sees the names opened (or Forgotten).
  const eventStore = withPersonalData(options.eventStore, { keyStore, registry: conferenceEvents });
  const waitTimeoutMs = options.waitTimeoutMs ?? DEFAULT_WAIT_TIMEOUT_MS;
  const clock = options.clock ?? (() => new Date());
  const app = Fastify({
    logger: options.logger ?? false,
    bodyLimit: options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES,
    ajv: { customOptions: AJV_OPTIONS },
    // Its own 503 while closing is not a problem document; the onRequest hook below answers one instead.
    return503OnClosing: false,
  });
  const readModels: Readonly<Record<string, ReadModelEntry>> = { ...builtInReadModels, ...options.readModels };
  // One runner for all: a projection served under several names (or collections) still runs once.
  const projections = new Map<string, Projection<ConferenceEvent>>(conferenceProjections.map((projection) => [projection.name, projection]));
  for (const { projection } of Object.values(readModels)) projections.set(projection.name, projection);
  const runner = createProjectionRunner<ConferenceEvent>({
    eventStore, readModelStore, registry: conferenceEvents, projections: [...projections.values()], logger: app.log.child({ component: 'projections' }),
  });
  const feeds = createConferenceFeeds({
    eventStore, runner, read: readLiveSnapshot(readModelStore), waitTimeoutMs,
    onError: (error, context) => app.log.error({ err: error }, `${context} failed; its pages reconnect`),
  });

  const routes: Route[] = [];
  const openApi = () => openApiDocument(routes, {
    title: 'Conference service',
    version: '0.1.0',
    description: 'Commands in, read models out, with read-your-writes through log positions, ETags on streams, and a live page. Every error is an RFC 9457 problem.',
  });
  const service = createConferenceService({ store: eventStore, cacheSize: 64 });
  routes.push(
    ...commandEndpoints({ eventStore, service, clock }),
    ...personalDataEndpoints({ eventStore, keyStore, service, clock }),
    ...resourceEndpoints(createStreamResources(eventStore)),
    ...readModelEndpoints({ readModels, readModelStore, runner, waitTimeoutMs }),
    ...liveEndpoints({ feeds, stream: { heartbeatMs: options.heartbeatMs ?? 15_000, retryMs: 2000, maxBufferedBytes: 1024 * 1024 } }),
    ...operationalEndpoints({ runner, liveStreams: () => feeds.watching(), openApi }),
  );

  acceptJsonBodies(app);

  for (const route of routes) {
    app.route({
      method: route.method,
      url: route.url,
      schema: fastifySchemaOf(route),
      handler: async (request, reply) => {
        const answer = await route.handler(request, reply);
        return answer === undefined ? reply : write(reply, answer);
      },
    });
  }
  const allowed = new Map<string, Set<string>>();
  for (const route of routes) allowed.set(route.url, new Set([...(allowed.get(route.url) ?? []), route.method, ...(route.method === 'GET' ? ['HEAD'] : [])]));
  for (const [url, methods] of allowed) {
    const allow = [...methods].join(', ');
    app.route({
      method: METHODS.filter((method) => !methods.has(method)),
      url,
      handler: async (request, reply) =>
        write(reply, problemReply(edgeProblem('method-not-allowed', `${request.method} is not allowed on ${url}; use ${allow}`, request.url), { allow })),
    });
  }
  app.setNotFoundHandler(async (request, reply) =>
    write(reply, problemReply(edgeProblem('not-found', `Nothing is served at ${request.url.split('?')[0]}; the API is described at /openapi.json`, request.url))));
  app.setErrorHandler(async (error, request, reply) => {
    const { reply: answer, unexpected } = problemForError(error, {
      url: request.url, body: request.body, query: request.query, schema: request.routeOptions.schema as { body?: unknown; querystring?: unknown } | undefined,
    });
    if (unexpected) request.log.error({ err: error }, 'request failed unexpectedly');
    return write(reply, answer);
  });
  // Before the server stops accepting and waits for the requests in flight: live streams would hold it open for
  // ever, and GETs waiting for a position would hold it until their timeout; commands in flight finish normally.
  let closing = false;
  app.addHook('preClose', async () => {
    closing = true;
    await feeds.close();
    await runner.stop();
  });
  // While shutting down, a request that still arrives (on a kept-alive connection) is turned away at once.
  app.addHook('onRequest', async (request, reply) => {
    if (!closing) return;
    await write(reply, problemReply(edgeProblem('service-unavailable', 'The service is shutting down; send the request again, to another instance or once it is back', request.url), { 'retry-after': '1' }));
    return reply;
  });
  // A request in flight at shutdown is answered, and its connection closed after it: kept alive, it would hold the
  // server open (server.close() only closes the connections idle when it is called).
  app.addHook('onSend', async (_request, reply, payload) => {
    if (closing) reply.header('connection', 'close');
    return payload;
  });

  return {
    app,
    server: app.server,
    runner,
    feeds,
    listen: async (port = 0, host = '127.0.0.1') => {
      await runner.start();
      return app.listen({ port, host });
    },
    close: () => app.close(),
  };
};
