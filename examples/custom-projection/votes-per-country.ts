import { conferenceEvents, type ConferenceEvent } from '@clusterconf/domain';
import { defineProjection } from '@clusterconf/projections';

/** Collection `ballots`: one document per ballot, id `<conferenceId>.<ballotId>`. */
export interface VotesPerCountryDocument {
  readonly [key: string]: unknown;
  readonly conferenceId: string;
  readonly ballotId: string;
  readonly closed: boolean;
  /** Counted votes per voter's country, then per candidate: `{ DE: { alpha: 2 } }`. */
  readonly countries: { readonly [country: string]: { readonly [candidateId: string]: number } };
  /** Votes counted: before the ballot's `BallotClosed` in log order, the first of each attendee. */
  readonly counted: number;
  /** Counted votes whose voter's registration this projection has not seen (none, on a log the domain wrote). */
  readonly unattributed: number;
  /** Votes after the close in log order: reported, never counted. */
  readonly late: number;
}

/** Collection `voters`, id `<conferenceId>.<attendeeId>`: what the join needs to remember of a registration. */
interface VoterDocument {
  readonly [key: string]: unknown;
  readonly country: string;
}

/** Collection `votes`, id `<conferenceId>.<ballotId>.<attendeeId>`: marks an attendee whose vote already counted. */
interface VotedDocument {
  readonly [key: string]: unknown;
  readonly candidateId: string;
}

/** The id of a ballot's document. */
export const votesPerCountryId = (conferenceId: string, ballotId: string): string => `${conferenceId}.${ballotId}`;

const empty = (conferenceId: string, ballotId: string): VotesPerCountryDocument => ({
  conferenceId, ballotId, closed: false, countries: {}, counted: 0, unattributed: 0, late: 0,
});

/**
 * Votes per country, as a user of the library would write it: a join of `AttendeeRegistered` (attendee → country)
 * with `VoteCast`, by the domain's rules of `tallyVotes` — a vote counts when it precedes its ballot's close in the
 * log and is its attendee's first on that ballot; later ones are late. Handlers read and write documents only
 * through `ops`, so the runner commits them with the checkpoint in one transaction, on any read-model store.
 */
export const votesPerCountryProjection = defineProjection<ConferenceEvent>(conferenceEvents, {
  name: 'votes_per_country',
  version: 1,
  handlers: {
    AttendeeRegistered: async ({ data }, ops) => {
      await ops.upsert('voters', `${data.conferenceId}.${data.attendeeId}`, { country: data.country } satisfies VoterDocument);
    },
    BallotClosed: async ({ data }, ops) => {
      const id = votesPerCountryId(data.conferenceId, data.sessionId);
      const current = (await ops.get<VotesPerCountryDocument>('ballots', id)) ?? empty(data.conferenceId, data.sessionId);
      await ops.upsert('ballots', id, { ...current, closed: true });
    },
    VoteCast: async ({ data }, ops) => {
      const id = votesPerCountryId(data.conferenceId, data.ballotId);
      const current = (await ops.get<VotesPerCountryDocument>('ballots', id)) ?? empty(data.conferenceId, data.ballotId);
      if (current.closed) return ops.upsert('ballots', id, { ...current, late: current.late + 1 });
      const votedId = `${id}.${data.attendeeId}`;
      // The vote stream's no_stream append keeps one vote per attendee; an imported or merged log might not.
      if ((await ops.get<VotedDocument>('votes', votedId)) !== undefined) return;
      await ops.upsert('votes', votedId, { candidateId: data.candidateId } satisfies VotedDocument);
      const voter = await ops.get<VoterDocument>('voters', `${data.conferenceId}.${data.attendeeId}`);
      if (voter === undefined) {
        return ops.upsert('ballots', id, { ...current, counted: current.counted + 1, unattributed: current.unattributed + 1 });
      }
      const perCandidate = current.countries[voter.country] ?? {};
      await ops.upsert('ballots', id, {
        ...current,
        counted: current.counted + 1,
        countries: { ...current.countries, [voter.country]: { ...perCandidate, [data.candidateId]: (perCandidate[data.candidateId] ?? 0) + 1 } },
      });
    },
  },
});
