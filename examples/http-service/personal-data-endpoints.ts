import * as E from 'fp-ts/lib/Either.js';
import * as t from 'io-ts';
import {
  AttendeeId, attendeeSubject, forgetSubject, formatPosition, toJsonSchema, type ConferenceService, type EventStore, type KeyStore,
} from '@clusterconf/domain';
import { CONSISTENCY_HEADER } from './command-replies.js';
import type { Route } from './endpoint.js';
import { problemReply, type HttpReply } from './http-reply.js';
import { PROBLEM_MEDIA_TYPE, edgeProblem } from './problem-details.js';

/** What the personal-data endpoint uses. */
export interface PersonalDataEndpointsDeps {
  /** The store behind the personal-data layer, where `PersonalDataForgotten` is appended. */
  readonly eventStore: EventStore;
  readonly keyStore: KeyStore;
  /** Reads the conference stream, to answer 404 for an attendee who never registered. */
  readonly service: ConferenceService;
  readonly clock: () => Date;
}

/** Whether the conference stream has a registration of the attendee (forgotten or not). */
const isRegistered = async (service: ConferenceService, conferenceId: string, attendeeId: string): Promise<boolean> => {
  const conference = await service.loadConference(conferenceId);
  return AttendeeId.is(attendeeId) && E.isRight(conference) && conference.right.status === 'scheduled' && conference.right.attendees.has(attendeeId);
};

/**
 * `DELETE /attendees/<conferenceId>/<attendeeId>/personal-data`: forgets the attendee (`forgetSubject` of
 * `attendeeSubject`): the key of their name is deleted, so every read, rebuild and export shows it as forgotten, and
 * the attendee directory drops its copy once the runner reaches the `PersonalDataForgotten` appended. 204 with the
 * position of that event in `Consistency-Position`, also when the attendee was forgotten before (it is idempotent);
 * 404 for an attendee the conference never registered.
 */
export const personalDataEndpoints = ({ eventStore, keyStore, service, clock }: PersonalDataEndpointsDeps): Route[] => [{
  method: 'DELETE',
  url: '/attendees/:conferenceId/:attendeeId/personal-data',
  operationId: 'forget-attendee',
  summary: 'Forgets an attendee\'s personal data (their name): erased for good by deleting its key',
  description: 'Idempotent. Counts stay as they were; the name reads as {"forgotten":true,"subject":"attendee-<conferenceId>.<attendeeId>"} ' +
    'from then on. GET a read model with ?after=<Consistency-Position> to see it without the name.',
  tag: 'personal-data',
  params: toJsonSchema(t.type({ conferenceId: t.string, attendeeId: t.string })),
  responses: {
    204: { description: 'Forgotten (now or before)', headers: { 'Consistency-Position': 'The position of PersonalDataForgotten, for a GET that must see the read models without the name' } },
    404: { description: 'The conference has no such attendee', contentType: PROBLEM_MEDIA_TYPE },
    503: { description: 'The event store or the key store is unavailable; the forget is idempotent, send it again', contentType: PROBLEM_MEDIA_TYPE },
  },
  handler: async (request): Promise<HttpReply> => {
    const { conferenceId, attendeeId } = request.params as { conferenceId: string; attendeeId: string };
    if (!(await isRegistered(service, conferenceId, attendeeId))) {
      return problemReply(edgeProblem('resource-not-found', `Conference "${conferenceId}" has no attendee "${attendeeId}": there is no personal data of theirs to forget ` +
        '(GET /read-models/attendee-directory lists who registered)', request.url));
    }
    const forgotten = await forgetSubject({ keyStore, eventStore, clock }, attendeeSubject(conferenceId, attendeeId));
    return { status: 204, body: undefined, headers: { [CONSISTENCY_HEADER]: formatPosition(forgotten.position) } };
  },
}];
