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

/** A copy of `counts` with `key` counted once more (a new key goes last, as with a spread). */
const incremented = (counts: { readonly [key: string]: number } | undefined, key: string): { readonly [key: string]: number } => {
  const next: { [key: string]: number } = Object.assign({}, counts);
  next[key] = (counts?.[key] ?? 0) + 1;
  return next;
};

/** Attendance per conference: the total, per country and per stakeholder group. */
export const attendanceProjection = defineProjection<ConferenceEvent>(conferenceEvents, {
  name: 'attendance',
  version: 1,
  handlers: {
    // Literals rather than spreads: this handler runs once per registration, and a spread copies several times slower.
    AttendeeRegistered: ({ data }, ops) =>
      ops.update<AttendanceDocument>('conferences', data.conferenceId, (current) => ({
        conferenceId: data.conferenceId,
        total: (current?.total ?? 0) + 1,
        byCountry: incremented(current?.byCountry, data.country),
        byStakeholderGroup: incremented(current?.byStakeholderGroup, data.stakeholderGroup),
      })),
  },
});
