import { describe, it } from 'vitest';
import { attendeeSubject, forgottenValue } from '@clusterconf/domain';
import { givenEvents } from '../testing/index.js';
import { attendeeDirectoryProjection } from './attendee-directory.js';
import { ev, registered } from './fixtures.test-helper.js';

describe('the attendee directory read model', () => {
  it('lists each registration by name, and shows a forgotten attendee\'s name as forgotten', async () => {
    const ana = attendeeSubject('ecc2020', 'ana');
    await givenEvents(attendeeDirectoryProjection, [
      registered('ana', 'DE', 'research'),
      registered('bo', 'FR', 'business'),
      ev('PersonalDataForgotten', { subject: ana, forgottenAt: '2021-01-01T00:00:00Z' }),
      // Another conference's ana and a subject that is no attendee are not touched.
      registered('ana', 'SE', 'business', 'other-conf'),
      ev('PersonalDataForgotten', { subject: 'member-42', forgottenAt: '2021-01-01T00:00:00Z' }),
      ev('PersonalDataForgotten', { subject: attendeeSubject('ecc2020', 'never-registered'), forgottenAt: '2021-01-01T00:00:00Z' }),
    ]).thenDocuments('attendees', {
      'ecc2020.ana': { conferenceId: 'ecc2020', attendeeId: 'ana', name: forgottenValue(ana), country: 'DE', stakeholderGroup: 'research' },
      'ecc2020.bo': { conferenceId: 'ecc2020', attendeeId: 'bo', name: 'Attendee bo', country: 'FR', stakeholderGroup: 'business' },
      'other-conf.ana': { conferenceId: 'other-conf', attendeeId: 'ana', name: 'Attendee ana', country: 'SE', stakeholderGroup: 'business' },
    });
  });

  it('shows the name as forgotten when the registration itself decodes to Forgotten (a rebuild after the forget)', async () => {
    const ana = attendeeSubject('ecc2020', 'ana');
    await givenEvents(attendeeDirectoryProjection, [
      ev('AttendeeRegistered', { conferenceId: 'ecc2020', attendeeId: 'ana', name: forgottenValue(ana), country: 'DE', stakeholderGroup: 'research' }),
    ]).thenDocuments('attendees', {
      'ecc2020.ana': { conferenceId: 'ecc2020', attendeeId: 'ana', name: forgottenValue(ana), country: 'DE', stakeholderGroup: 'research' },
    });
  });
});
