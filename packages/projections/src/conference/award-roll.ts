import { conferenceEvents, type ConferenceEvent } from '@clusterconf/domain';
import { defineProjection } from '../projection.js';

/** One granted edition of an award. */
export interface AwardGrant {
  readonly edition: number;
  readonly title: string;
  readonly recipient: string;
  readonly affiliation: string;
  /** `jury`, or `vote` with the ballot that decided it and its tally. */
  readonly decidedBy:
    | { readonly kind: 'jury' }
    | { readonly kind: 'vote'; readonly ballotId: string; readonly tally: readonly { readonly candidateId: string; readonly votes: number }[] };
}

/** Collection `awards` of projection `award_roll`, one document per award id. */
export interface AwardRollDocument {
  readonly [key: string]: unknown;
  readonly awardId: string;
  /** The title of the latest edition. */
  readonly title: string;
  /** Every grant, by edition ascending. */
  readonly grants: readonly AwardGrant[];
}

/** The award roll: every award with its grants by edition. */
export const awardRollProjection = defineProjection<ConferenceEvent>(conferenceEvents, {
  name: 'award_roll',
  version: 1,
  handlers: {
    AwardGranted: ({ data }, ops) => {
      const decidedBy: AwardGrant['decidedBy'] =
        data.decidedBy.kind === 'jury'
          ? { kind: 'jury' }
          : { kind: 'vote', ballotId: data.decidedBy.ballotId, tally: data.decidedBy.tally.map(({ candidateId, votes }) => ({ candidateId, votes })) };
      const grant: AwardGrant = { edition: data.edition, title: data.title, recipient: data.recipient, affiliation: data.affiliation, decidedBy };
      ops.update<AwardRollDocument>('awards', data.awardId, (current) => {
        const grants = [...(current?.grants ?? []).filter((g) => g.edition !== data.edition), grant].sort((a, b) => a.edition - b.edition);
        return { awardId: data.awardId, title: grants[grants.length - 1]!.title, grants };
      });
    },
  },
});
