import type { FastifyReply, FastifyRequest } from 'fastify';
import type { JsonSchema } from '@clusterconf/domain';
import type { HttpReply } from './http-reply.js';

/** A response an endpoint may give, as the OpenAPI document lists it. */
export interface ResponseDoc {
  readonly description: string;
  /** Default `application/json`; problems are `application/problem+json`. */
  readonly contentType?: string;
  /** The body's schema; for a JSON 2xx answer Fastify also serializes with it. */
  readonly schema?: JsonSchema;
  /** Response headers, by name, with what they carry. */
  readonly headers?: Readonly<Record<string, string>>;
}

/** A request header an endpoint reads. */
export interface HeaderDoc {
  readonly name: string;
  readonly description: string;
}

/**
 * One route of the API as data: what Fastify validates it with and what the OpenAPI document says of it. Schemas
 * come from io-ts codecs through `toJsonSchema`, so validation, documentation and decoding share one definition.
 */
export interface Endpoint {
  readonly method: 'GET' | 'POST' | 'DELETE';
  /** In Fastify's form, `/conferences/:conferenceId`. */
  readonly url: string;
  readonly operationId: string;
  readonly summary: string;
  readonly description?: string;
  readonly tag: string;
  readonly params?: JsonSchema;
  readonly querystring?: JsonSchema;
  readonly body?: JsonSchema;
  readonly headers?: readonly HeaderDoc[];
  readonly responses: Readonly<Record<number, ResponseDoc>>;
}

/**
 * What answers an endpoint: a reply for the edge to write, or `undefined` when the handler took the response over
 * (a stream of server-sent events).
 */
export type EndpointHandler = (request: FastifyRequest, reply: FastifyReply) => Promise<HttpReply | undefined>;

/** An endpoint and its handler. */
export interface Route extends Endpoint {
  readonly handler: EndpointHandler;
}

const isJson = (response: ResponseDoc): boolean => (response.contentType ?? 'application/json') === 'application/json';

/** The schema Fastify validates and serializes a route with: its parameters, query, body and JSON success bodies. Pure. */
export const fastifySchemaOf = (endpoint: Endpoint): Record<string, unknown> => {
  const response = Object.fromEntries(
    Object.entries(endpoint.responses).filter(([status, doc]) => Number(status) < 300 && isJson(doc) && doc.schema !== undefined).map(([status, doc]) => [status, doc.schema]),
  );
  return {
    ...(endpoint.params ? { params: endpoint.params } : {}),
    ...(endpoint.querystring ? { querystring: endpoint.querystring } : {}),
    ...(endpoint.body ? { body: endpoint.body } : {}),
    ...(Object.keys(response).length > 0 ? { response } : {}),
  };
};
