import { describe, it } from 'vitest';
import { givenEvents } from '../testing/index.js';
import { attendanceProjection } from './attendance.js';
import { ev, registered } from './fixtures.test-helper.js';

describe('the attendance read model', () => {
  it('counts registrations per conference, per country and per stakeholder group', async () => {
    await givenEvents(attendanceProjection, [
      ev('ConferenceScheduled', { conferenceId: 'ecc2020', name: 'ECC 2020', days: ['2020-11-23'], capacity: null, organisers: ['EC'] }),
      registered('ana', 'DE', 'research'),
      registered('bo', 'FR', 'business'),
      registered('cy', 'DE', 'business'),
      registered('dan', 'SE', 'cluster-management', 'other-conf'),
    ]).thenDocuments('conferences', {
      ecc2020: { conferenceId: 'ecc2020', total: 3, byCountry: { DE: 2, FR: 1 }, byStakeholderGroup: { research: 1, business: 2 } },
      'other-conf': { conferenceId: 'other-conf', total: 1, byCountry: { SE: 1 }, byStakeholderGroup: { 'cluster-management': 1 } },
    });
  });
});
