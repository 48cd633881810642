import * as t from 'io-ts';
import { toJsonSchema } from '@clusterconf/domain';
import type { Route } from './endpoint.js';
import { entityTag } from './entity-tags.js';
import { jsonReply, problemReply, type HttpReply } from './http-reply.js';
import { PROBLEM_MEDIA_TYPE, edgeProblem } from './problem-details.js';
import { AllianceView, AwardView, ConferenceView } from './resource-views.js';
import type { StreamResource, StreamResources } from './stream-resources.js';

/**
 * The answer to a GET of a stream-backed resource: the view with `ETag: "<revision>"`, 304 when `If-None-Match`
 * already names that revision, or 404. Pure.
 */
export const resourceReply = <View>(resource: StreamResource<View> | undefined, ifNoneMatch: string | undefined, missing: string, instance: string): HttpReply => {
  if (resource === undefined) return problemReply(edgeProblem('resource-not-found', missing, instance));
  const tag = entityTag(resource.revision);
  // Weak comparison (RFC 9110 §13.1.2): W/"3" names revision 3 as well.
  const known = ifNoneMatch?.split(',').map((candidate) => candidate.trim().replace(/^W\//, ''));
  if (known !== undefined && (known.includes(tag) || known.includes('*'))) return { status: 304, body: undefined, headers: { etag: tag } };
  return jsonReply(200, resource.view, { etag: tag });
};

const resource = <View>(
  collection: string,
  idName: string,
  view: t.Mixed,
  noun: string,
  read: (id: string) => Promise<StreamResource<View> | undefined>,
  missing: (id: string) => string,
): Route => ({
  method: 'GET',
  url: `/${collection}/:${idName}`,
  operationId: `get-${noun}`,
  summary: `The ${noun}, folded from its stream, with the stream's revision as ETag`,
  tag: 'resources',
  params: toJsonSchema(t.type({ [idName]: t.string })),
  headers: [{ name: 'If-None-Match', description: 'An ETag this client holds: 304 while the stream is still at that revision' }],
  responses: {
    200: { description: `The ${noun}`, schema: toJsonSchema(view), headers: { ETag: 'The stream\'s revision, "<revision>": send it as If-Match with a command to append only at that revision' } },
    304: { description: 'The stream is still at the revision If-None-Match names' },
    404: { description: `No such ${noun}`, contentType: PROBLEM_MEDIA_TYPE },
  },
  handler: async (request) => {
    const id = (request.params as Record<string, string>)[idName]!;
    const ifNoneMatch = request.headers['if-none-match'];
    return resourceReply(await read(id), Array.isArray(ifNoneMatch) ? ifNoneMatch.join(',') : ifNoneMatch, missing(id), request.url);
  },
});

/** `GET /conferences/<id>`, `/alliances/<id>`, `/awards/<id>`: the streams commands are decided on, with ETags. */
export const resourceEndpoints = (resources: StreamResources): Route[] => [
  resource('conferences', 'conferenceId', ConferenceView, 'conference', resources.conference,
    (id) => `There is no conference "${id}": none is scheduled under that id (POST /commands/schedule-conference)`),
  resource('alliances', 'allianceId', AllianceView, 'alliance', resources.alliance,
    (id) => `There is no alliance "${id}": none is founded under that id (POST /commands/found-alliance)`),
  resource('awards', 'awardId', AwardView, 'award', resources.award,
    (id) => `There is no award "${id}": no edition of it is granted yet`),
];
