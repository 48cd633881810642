import type { ConferenceEvent } from '@clusterconf/domain';
import type { Projection } from '../projection.js';
import { agendaProjection } from './agenda.js';
import { allianceRosterProjection } from './alliance-roster.js';
import { attendeeDirectoryProjection } from './attendee-directory.js';
import { attendanceProjection } from './attendance.js';
import { awardRollProjection } from './award-roll.js';
import { ballotTalliesProjection } from './ballot-tallies.js';

/** The six built-in conference read models, ready for one runner. */
export const conferenceProjections: readonly Projection<ConferenceEvent>[] = [
  attendanceProjection,
  agendaProjection,
  ballotTalliesProjection,
  awardRollProjection,
  allianceRosterProjection,
  attendeeDirectoryProjection,
];
