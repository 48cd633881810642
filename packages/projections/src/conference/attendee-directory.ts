import { attendeeOfSubject, conferenceEvents, forgottenValue, type ConferenceEvent, type Forgotten } from '@clusterconf/domain';
import { defineProjection } from '../projection.js';

/** Collection `attendees` of projection `attendee_directory`, one document per `<conferenceId>.<attendeeId>`. */
export interface AttendeeDirectoryDocument {
  readonly [key: string]: unknown;
  readonly conferenceId: string;
  readonly attendeeId: string;
  /** The attendee's name: personal data, `Forgotten` (`{ forgotten: true, subject }`) once the attendee was forgotten. */
  readonly name: string | Forgotten;
  readonly country: string;
  readonly stakeholderGroup: string;
}

/** The id of an attendee's document. */
export const attendeeDirectoryId = (conferenceId: string, attendeeId: string): string => `${conferenceId}.${attendeeId}`;

/**
 * Who registered for which conference, by name: the one built-in read model that copies personal data. A
 * `PersonalDataForgotten` of an attendee's subject replaces the name copied here with `Forgotten`, live; a rebuild
 * reads the registration's name as `Forgotten` already, so both ways end with the same document.
 */
export const attendeeDirectoryProjection = defineProjection<ConferenceEvent>(conferenceEvents, {
  name: 'attendee_directory',
  version: 1,
  handlers: {
    // A registration is its attendee's first event: the document is written without reading one, which keeps a
    // rebuild from reading a missing document per attendee. `upsert` stages it at once; nothing is left to await.
    AttendeeRegistered: ({ data }, ops) => {
      const document: AttendeeDirectoryDocument = {
        conferenceId: data.conferenceId,
        attendeeId: data.attendeeId,
        name: data.name,
        country: data.country,
        stakeholderGroup: data.stakeholderGroup,
      };
      void ops.upsert('attendees', attendeeDirectoryId(data.conferenceId, data.attendeeId), document);
    },
    PersonalDataForgotten: ({ data }, ops) => {
      const attendee = attendeeOfSubject(data.subject);
      if (attendee === undefined) return;
      ops.update<AttendeeDirectoryDocument>('attendees', attendeeDirectoryId(attendee.conferenceId, attendee.attendeeId), (current) =>
        current === undefined ? undefined : { ...current, name: forgottenValue(data.subject) },
      );
    },
  },
});
