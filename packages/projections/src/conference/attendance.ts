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
    AttendeeRegistered: async ({ data }, ops) => {
      const current = await ops.get<AttendanceDocument>('conferences', data.conferenceId);
      const byCountry = current?.byCountry ?? {};
      const byStakeholderGroup = current?.byStakeholderGroup ?? {};
      const next: AttendanceDocument = {
        conferenceId: data.conferenceId,
        total: (current?.total ?? 0) + 1,
        byCountry: { ...byCountry, [data.country]: (byCountry[data.country] ?? 0) + 1 },
        byStakeholderGroup: { ...byStakeholderGroup, [data.stakeholderGroup]: (byStakeholderGroup[data.stakeholderGroup] ?? 0) + 1 },
      };
      await ops.upsert('conferences', data.conferenceId, next);
    },
  },
});
