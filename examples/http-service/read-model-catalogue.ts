import {
  agendaProjection, allianceRosterProjection, attendanceProjection, attendeeDirectoryProjection, awardRollProjection, ballotTalliesProjection,
  type Projection,
} from '@clusterconf/projections';
import type { ConferenceEvent } from '@clusterconf/domain';

/** A read model as the HTTP API names it: the projection that builds it and the collection its documents live in. */
export interface ReadModelEntry {
  readonly projection: Projection<ConferenceEvent>;
  readonly collection: string;
  /** How a document id is made, for the 404 message and the README. */
  readonly idHint: string;
}

/** The built-in read models under their URL names: `GET /read-models/<name>/<id>`. */
export const builtInReadModels: Readonly<Record<string, ReadModelEntry>> = {
  attendance: { projection: attendanceProjection, collection: 'conferences', idHint: '<conferenceId>' },
  agenda: { projection: agendaProjection, collection: 'agendas', idHint: '<conferenceId>' },
  'ballot-tallies': { projection: ballotTalliesProjection, collection: 'ballots', idHint: '<conferenceId>.<ballotId>' },
  'award-roll': { projection: awardRollProjection, collection: 'awards', idHint: '<awardId>' },
  'alliance-roster': { projection: allianceRosterProjection, collection: 'alliances', idHint: '<allianceId>' },
  'attendee-directory': { projection: attendeeDirectoryProjection, collection: 'attendees', idHint: '<conferenceId>.<attendeeId>' },
};
