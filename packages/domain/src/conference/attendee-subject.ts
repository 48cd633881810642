import { subjectId, type SubjectId } from '../kernel/personal-data/subject-id.js';
import { isSlug } from './codecs.js';

const PREFIX = 'attendee-';

/**
 * The data subject of an attendee: `attendee-<conferenceId>.<attendeeId>`. Attendee ids are unique within a
 * conference only, so the subject names both; slugs hold no `.`, so it reads back unambiguously.
 */
export const attendeeSubject = (conferenceId: string, attendeeId: string): SubjectId => subjectId(`${PREFIX}${conferenceId}.${attendeeId}`);

/** The conference and attendee of an attendee subject, or `undefined` for any other subject. */
export const attendeeOfSubject = (subject: string): { readonly conferenceId: string; readonly attendeeId: string } | undefined => {
  if (!subject.startsWith(PREFIX)) return undefined;
  const [conferenceId, attendeeId, ...rest] = subject.slice(PREFIX.length).split('.');
  if (conferenceId === undefined || attendeeId === undefined || rest.length > 0 || !isSlug(conferenceId) || !isSlug(attendeeId)) return undefined;
  return { conferenceId, attendeeId };
};
