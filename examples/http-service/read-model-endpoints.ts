import * as E from 'fp-ts/lib/Either.js';
import * as t from 'io-ts';
import { toJsonSchema, type ConferenceEvent } from '@clusterconf/domain';
import { namespaceOf, type Projection, type ProjectionRunner, type ReadModelStore } from '@clusterconf/projections';
import { CONSISTENCY_HEADER } from './command-replies.js';
import type { ResponseDoc, Route } from './endpoint.js';
import { jsonReply, problemReply } from './http-reply.js';
import { PROBLEM_MEDIA_TYPE, edgeProblem } from './problem-details.js';
import type { ReadModelEntry } from './read-model-catalogue.js';
import { DocumentQuery, ListQuery, consistencyOf, limitOf } from './read-model-queries.js';

/** A page of documents in id order; `nextAfterId` is the `afterId` of the next page, `null` on the last. */
export const DocumentPage = t.strict({
  documents: t.array(t.strict({ id: t.string, document: t.unknown }, 'StoredDocument')),
  nextAfterId: t.union([t.string, t.null]),
}, 'DocumentPage');

/** What the read-model endpoints use. */
export interface ReadModelEndpointsDeps {
  readonly readModels: Readonly<Record<string, ReadModelEntry>>;
  readonly readModelStore: ReadModelStore;
  readonly runner: Pick<ProjectionRunner<ConferenceEvent>, 'waitFor'>;
  readonly waitTimeoutMs: number;
}

const problem = (description: string): ResponseDoc => ({ description, contentType: PROBLEM_MEDIA_TYPE });
const consistencyHeader = [{ name: 'Consistency-Position', description: 'Like ?after=: the position a command returned' }];
const waitResponses = {
  400: problem('?after=, Consistency-Position or ?limit= is malformed (`errors` names it)'),
  503: problem('The read models did not reach the position in time, or the runner stopped'),
};

/** `GET /read-models/<name>/<id>` and `GET /read-models/<name>` for every read model, with read-your-writes through `?after=`. */
export const readModelEndpoints = ({ readModels, readModelStore, runner, waitTimeoutMs }: ReadModelEndpointsDeps): Route[] => {
  const namespaceFor = async (projection: Projection<ConferenceEvent>): Promise<string> =>
    namespaceOf(projection.name, (await readModelStore.activeVersion(projection.name)) ?? projection.version);

  /** Waits, when asked to, until every read model has committed the position; a Left is the 400 of a bad position. */
  const awaitConsistency = async (after: string | undefined, header: string | string[] | undefined, instance: string) => {
    const position = consistencyOf(after, Array.isArray(header) ? header.join(',') : header);
    if (E.isLeft(position)) return problemReply(edgeProblem('invalid-query', position.left.detail, instance, { errors: [position.left] }));
    if (position.right !== undefined) await runner.waitFor(position.right, { timeoutMs: waitTimeoutMs });
    return undefined;
  };

  return Object.entries(readModels).flatMap(([name, entry]): Route[] => [
    {
      method: 'GET',
      url: `/read-models/${name}/:id`,
      operationId: `read-${name}`,
      summary: `One document of ${name}; ids are ${entry.idHint}`,
      tag: 'read models',
      params: toJsonSchema(t.type({ id: t.string })),
      querystring: toJsonSchema(DocumentQuery),
      headers: consistencyHeader,
      responses: { 200: { description: 'The document', schema: {} }, 404: problem('No such document (yet: pass ?after=<position>)'), ...waitResponses },
      handler: async (request) => {
        const { id } = request.params as { id: string };
        const query = request.query as t.TypeOf<typeof DocumentQuery>;
        const refused = await awaitConsistency(query.after, request.headers[CONSISTENCY_HEADER], request.url);
        if (refused) return refused;
        const document = await readModelStore.readDocument(await namespaceFor(entry.projection), entry.collection, id);
        return document === undefined
          ? problemReply(edgeProblem('document-not-found',
              `Read model ${name} has no document "${id}"; its ids are ${entry.idHint}, and it may not have seen the write yet: pass ?after=<position>`, request.url))
          : jsonReply(200, document);
      },
    },
    {
      method: 'GET',
      url: `/read-models/${name}`,
      operationId: `list-${name}`,
      summary: `The documents of ${name}, in id order, a page at a time`,
      tag: 'read models',
      querystring: toJsonSchema(ListQuery),
      headers: consistencyHeader,
      responses: { 200: { description: 'A page of documents', schema: toJsonSchema(DocumentPage) }, ...waitResponses },
      handler: async (request) => {
        const query = request.query as ListQuery;
        const limit = limitOf(query.limit);
        if (E.isLeft(limit)) return problemReply(edgeProblem('invalid-query', limit.left.detail, request.url, { errors: [limit.left] }));
        const refused = await awaitConsistency(query.after, request.headers[CONSISTENCY_HEADER], request.url);
        if (refused) return refused;
        const documents = await readModelStore.listDocuments(await namespaceFor(entry.projection), entry.collection, {
          limit: limit.right, ...(query.afterId === undefined ? {} : { afterId: query.afterId }),
        });
        const nextAfterId = documents.length === limit.right ? documents[documents.length - 1]!.id : null;
        return jsonReply(200, { documents, nextAfterId });
      },
    },
  ]);
};
