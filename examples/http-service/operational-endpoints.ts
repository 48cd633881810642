import * as t from 'io-ts';
import { formatPosition, toJsonSchema, type ConferenceEvent } from '@clusterconf/domain';
import type { ProjectionRunner } from '@clusterconf/projections';
import type { Route } from './endpoint.js';
import { jsonReply, problemReply } from './http-reply.js';
import { PROBLEM_MEDIA_TYPE, edgeProblem, problemTypeUri, problemTypes } from './problem-details.js';
import { Ready, readiness, type NotLive } from './readiness.js';

/** The answer of `/healthz`. */
export const Health = t.strict({ status: t.literal('up') }, 'Health');

/** One projection in `/status`. */
export const ProjectionReport = t.intersection([
  t.type({
    name: t.string, version: t.number, role: t.keyof({ serving: null, building: null }), state: t.string,
    position: t.union([t.string, t.null]), headPosition: t.union([t.string, t.null]), lag: t.union([t.number, t.null]),
    lagIs: t.keyof({ exact: null, estimate: null, unknown: null }), eventsPerSecond: t.number,
  }),
  t.partial({ error: t.string, nextAttemptAt: t.string, heldBy: t.unknown }),
], 'ProjectionReport');

/** The answer of `/status`. */
export const Status = t.strict({ projections: t.array(ProjectionReport), liveStreams: t.number }, 'Status');

/** A problem type, as `/problems/<name>` describes it. */
export const ProblemTypeDescription = t.strict({ type: t.string, title: t.string, status: t.number }, 'ProblemType');

/** What the operational endpoints use. */
export interface OperationalEndpointsDeps {
  readonly runner: Pick<ProjectionRunner<ConferenceEvent>, 'status'>;
  /** How many live pages are connected. */
  readonly liveStreams: () => number;
  /** The OpenAPI document, built once every route is known. */
  readonly openApi: () => unknown;
}

/** `/healthz`, `/readyz`, `/status`, `/openapi.json` and `/problems/<name>`. */
export const operationalEndpoints = ({ runner, liveStreams, openApi }: OperationalEndpointsDeps): Route[] => [
  {
    method: 'GET', url: '/healthz', operationId: 'healthz', tag: 'operations',
    summary: 'The process is up and answering: a liveness probe; it reads no store',
    responses: { 200: { description: 'Up', schema: toJsonSchema(Health) } },
    handler: async () => jsonReply(200, { status: 'up' }),
  },
  {
    method: 'GET', url: '/readyz', operationId: 'readyz', tag: 'operations',
    summary: 'Ready when every projection readers are served from is live (caught up and following the log)',
    responses: {
      200: { description: 'Every serving projection is live', schema: toJsonSchema(Ready) },
      503: { description: 'Some are not live yet (starting, catching up, retrying, failed, stopped): `notLive` lists them', contentType: PROBLEM_MEDIA_TYPE },
    },
    handler: async (request) => {
      const ready = readiness(await runner.status());
      if (ready.ready) return jsonReply(200, { ready: true, projections: ready.live });
      const listed = ready.notLive.map((entry) => `${entry.name} (${entry.state})`).join(', ');
      const notLive: NotLive[] = [...ready.notLive];
      return problemReply(edgeProblem('not-ready', `Not every projection is live: ${listed}; GETs may not see recent writes yet`, request.url, { notLive }), { 'retry-after': '1' });
    },
  },
  {
    method: 'GET', url: '/status', operationId: 'status', tag: 'operations',
    summary: 'Every projection\'s state, position, lag and rate, and the number of live pages connected',
    responses: { 200: { description: 'The status', schema: toJsonSchema(Status) } },
    handler: async () => {
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
      return jsonReply(200, { projections, liveStreams: liveStreams() });
    },
  },
  {
    method: 'GET', url: '/openapi.json', operationId: 'openapi', tag: 'operations',
    summary: 'This document: OpenAPI 3.1, its schemas the ones requests are validated with',
    responses: { 200: { description: 'The OpenAPI document' } },
    handler: async () => jsonReply(200, openApi()),
  },
  {
    method: 'GET', url: '/problems/:name', operationId: 'problem-type', tag: 'operations',
    summary: 'What a problem `type` means: its title and status',
    params: toJsonSchema(t.type({ name: t.string })),
    responses: { 200: { description: 'The problem type', schema: toJsonSchema(ProblemTypeDescription) }, 404: { description: 'No such problem type', contentType: PROBLEM_MEDIA_TYPE } },
    handler: async (request) => {
      const { name } = request.params as { name: string };
      const type = problemTypes.get(name);
      return type === undefined
        ? problemReply(edgeProblem('not-found', `There is no problem type "${name}"`, request.url))
        : jsonReply(200, { type: problemTypeUri(type.name), title: type.title, status: type.status });
    },
  },
];
