import * as E from 'fp-ts/lib/Either.js';
import { conferenceEventOf, type ConferenceEvent } from '@clusterconf/domain';

/** Test helper: a decoded conference event from plain data; throws when the data does not decode. */
export const ev = <Type extends ConferenceEvent['type']>(type: Type, data: unknown): Extract<ConferenceEvent, { type: Type }> => {
  const decoded = conferenceEventOf(type, data);
  if (E.isLeft(decoded)) throw decoded.left;
  return decoded.right;
};

/** Test helper: a registration of attendee `id`. */
export const registered = (id: string, country: string, stakeholderGroup: string, conferenceId = 'ecc2020') =>
  ev('AttendeeRegistered', { conferenceId, attendeeId: id, name: `Attendee ${id}`, country, stakeholderGroup });

/** Test helper: a vote as the first (or `revision`-th) event of its vote stream. */
export const vote = (ballotId: string, attendeeId: string, candidateId: string, revision = 0n, conferenceId = 'ecc2020') => ({
  ...ev('VoteCast', { conferenceId, ballotId, attendeeId, candidateId }),
  streamId: `vote-${conferenceId}.${ballotId}.${attendeeId}`,
  streamRevision: revision,
});
