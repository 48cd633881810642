import * as t from 'io-ts';
import { toJsonSchema, type JsonSchema } from '@clusterconf/domain';
import type { Endpoint, ResponseDoc } from './endpoint.js';
import { PROBLEM_MEDIA_TYPE } from './problem-details.js';

/** An RFC 9457 problem as the OpenAPI document describes it; every error body has these members, and may have more. */
export const Problem = t.intersection([
  t.type({ type: t.string, title: t.string, status: t.number, detail: t.string, instance: t.string }),
  t.partial({ errors: t.array(t.partial({ pointer: t.string, parameter: t.string, header: t.string, detail: t.string })) }),
], 'Problem');

const PROBLEM_REF = { $ref: '#/components/schemas/Problem' };

const pathOf = (url: string): string => url.replace(/:([A-Za-z0-9_]+)/g, '{$1}');

const parameters = (schema: JsonSchema | undefined, where: 'path' | 'query') =>
  Object.entries(schema?.properties ?? {}).map(([name, member]) => ({
    name, in: where, required: where === 'path' || (schema?.required ?? []).includes(name), schema: member,
  }));

const responseOf = (response: ResponseDoc) => {
  const contentType = response.contentType ?? 'application/json';
  const schema = contentType === PROBLEM_MEDIA_TYPE ? PROBLEM_REF : response.schema;
  return {
    description: response.description,
    ...(response.headers
      ? { headers: Object.fromEntries(Object.entries(response.headers).map(([name, description]) => [name, { description, schema: { type: 'string' } }])) }
      : {}),
    ...(schema === undefined && contentType === 'application/json' ? {} : { content: { [contentType]: schema === undefined ? {} : { schema } } }),
  };
};

const operationOf = (endpoint: Endpoint) => ({
  operationId: endpoint.operationId,
  summary: endpoint.summary,
  ...(endpoint.description ? { description: endpoint.description } : {}),
  tags: [endpoint.tag],
  parameters: [
    ...parameters(endpoint.params, 'path'),
    ...parameters(endpoint.querystring, 'query'),
    ...(endpoint.headers ?? []).map(({ name, description }) => ({ name, in: 'header', required: false, description, schema: { type: 'string' } })),
  ],
  ...(endpoint.body ? { requestBody: { required: true, content: { 'application/json': { schema: endpoint.body } } } } : {}),
  responses: Object.fromEntries(Object.entries(endpoint.responses).map(([status, response]) => [status, responseOf(response)])),
});

/** The OpenAPI 3.1 document of the endpoints, with the schemas Fastify validates them with. Pure. */
export const openApiDocument = (endpoints: readonly Endpoint[], info: { readonly title: string; readonly version: string; readonly description: string }) => {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const endpoint of endpoints) {
    const path = pathOf(endpoint.url);
    paths[path] = { ...paths[path], [endpoint.method.toLowerCase()]: operationOf(endpoint) };
  }
  return {
    openapi: '3.1.0',
    // Every schema here is JSON Schema 2020-12 as well as draft-07, which is what Fastify's Ajv validates.
    jsonSchemaDialect: 'https://json-schema.org/draft/2020-12/schema',
    info,
    paths,
    components: { schemas: { Problem: toJsonSchema(Problem) } },
  };
};
