import { conferenceEvents, type ConferenceEvent } from '@clusterconf/domain';
import { defineProjection } from '../projection.js';

/** Collection `conferences` of projection `attendance`, one document per conference id. */
export interface AttendanceDocument {
  readonly [key: string]: unknown;
  readonly conferenceId: string;
  /** Every `AttendeeRegistered` of the conference. */
  readonly total: number;
  /** Registrations per ISO 3166-1 alpha-2 country code. */
  readonly byCountry: { readonly [country: string]: number };
  /** Registrations per stakeholder group. */
  readonly byStakeholderGroup: { readonly [group: string]: number };
}

/** Attendance per conference: the total, per country and per stakeholder group. */
export const attendanceProjection = defineProjection<ConferenceEvent>(conferenceEvents, {
  name: 'attendance',
  version: 1,
  handlers: {
    // In place: one copy of the document per batch rather than a copy of both count maps per registration.
    AttendeeRegistered: ({ data }, ops) =>
      ops.mutate<AttendanceDocument>(
        'conferences',
        data.conferenceId,
        () => ({ conferenceId: data.conferenceId, total: 0, byCountry: {}, byStakeholderGroup: {} }),
        (attendance) => {
          attendance.total++;
          attendance.byCountry[data.country] = (attendance.byCountry[data.country] ?? 0) + 1;
          attendance.byStakeholderGroup[data.stakeholderGroup] = (attendance.byStakeholderGroup[data.stakeholderGroup] ?? 0) + 1;
        },
      ),
  },
});
