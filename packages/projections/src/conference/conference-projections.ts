import type { ConferenceEvent } from '@clusterconf/domain';
import type { Projection } from '../projection.js';
import { agendaProjection } from './agenda.js';
import { allianceRosterProjection } from './alliance-roster.js';
import { attendanceProjection } from './attendance.js';
import { awardRollProjection } from './award-roll.js';
import { ballotTalliesProjection } from './ballot-tallies.js';

/** The five built-in conference read models, ready for one runner. */
export const conferenceProjections: readonly Projection<ConferenceEvent>[] = [
  attendanceProjection,
  agendaProjection,
  ballotTalliesProjection,
  awardRollProjection,
  allianceRosterProjection,
];
