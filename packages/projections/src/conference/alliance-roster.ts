import { conferenceEvents, type ConferenceEvent } from '@clusterconf/domain';
import { defineProjection } from '../projection.js';

/** One member nation of an alliance. */
export interface AllianceMember {
  readonly memberNumber: number;
  /** ISO 3166-1 alpha-2 code. */
  readonly nation: string;
  readonly programme: string;
}

/** Collection `alliances` of projection `alliance_roster`, one document per alliance id. */
export interface AllianceRosterDocument {
  readonly [key: string]: unknown;
  readonly allianceId: string;
  /** From `AllianceFounded`; `null` while the log holds no founding for it. */
  readonly name: string | null;
  /** Members by member number ascending. */
  readonly members: readonly AllianceMember[];
}

/** The alliance roster: each alliance's member nations in member order. */
export const allianceRosterProjection = defineProjection<ConferenceEvent>(conferenceEvents, {
  name: 'alliance_roster',
  version: 1,
  handlers: {
    AllianceFounded: ({ data }, ops) =>
      ops.update<AllianceRosterDocument>('alliances', data.allianceId, (current) => ({ allianceId: data.allianceId, name: data.name, members: current?.members ?? [] })),
    NationJoinedAlliance: ({ data }, ops) => {
      const member: AllianceMember = { memberNumber: data.memberNumber, nation: data.nation, programme: data.programme };
      ops.update<AllianceRosterDocument>('alliances', data.allianceId, (current) => ({
        allianceId: data.allianceId,
        name: current?.name ?? null,
        members: [...(current?.members ?? []), member].sort((a, b) => a.memberNumber - b.memberNumber),
      }));
    },
  },
});
