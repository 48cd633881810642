import { describe, expect, it } from 'vitest';
import { projectEvents } from '../testing/index.js';
import { attendanceProjection } from './attendance.js';
import { ev, registered } from './fixtures.test-helper.js';

describe('the attendance read model', () => {
  it('counts registrations per conference, per country and per stakeholder group', async () => {
    const store = await projectEvents(attendanceProjection, [
      ev('ConferenceScheduled', { conferenceId: 'ecc2020', name: 'ECC 2020', days: ['2020-11-23'], capacity: null, organisers: ['EC'] }),
      registered('ana', 'DE', 'research'),
      registered('bo', 'FR', 'business'),
      registered('cy', 'DE', 'business'),
      registered('dan', 'SE', 'cluster-management', 'other-conf'),
    ]);
    expect(await store.listDocuments('attendance_v1', 'conferences')).toEqual([
      { id: 'ecc2020', document: { conferenceId: 'ecc2020', total: 3, byCountry: { DE: 2, FR: 1 }, byStakeholderGroup: { research: 1, business: 2 } } },
      { id: 'other-conf', document: { conferenceId: 'other-conf', total: 1, byCountry: { SE: 1 }, byStakeholderGroup: { 'cluster-management': 1 } } },
    ]);
  });
});
