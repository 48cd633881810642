import { conferenceEvents, type ConferenceEvent } from '@clusterconf/domain';
import { defineProjection } from '../projection.js';

/** One opened session in an agenda. */
export interface AgendaSession {
  readonly sessionId: string;
  readonly title: string;
  readonly day: string;
  readonly openers: readonly { readonly name: string; readonly role: string }[];
  /** The award the session's ballot decides, or `null` for a session without a ballot. */
  readonly ballotAwardId: string | null;
  /** True once the session's ballot was closed. */
  readonly ballotClosed: boolean;
}

/** Collection `agendas` of projection `agenda`, one document per conference id. */
export interface AgendaDocument {
  readonly [key: string]: unknown;
  readonly conferenceId: string;
  /** From `ConferenceScheduled`; `null` while the log holds no schedule for the conference. */
  readonly name: string | null;
  readonly days: readonly string[];
  /** Sessions in the order they were opened (log order). */
  readonly sessions: readonly AgendaSession[];
}

const empty = (conferenceId: string): AgendaDocument => ({ conferenceId, name: null, days: [], sessions: [] });

/** The agenda per conference: the sessions opened, in order, with their openers. */
export const agendaProjection = defineProjection<ConferenceEvent>(conferenceEvents, {
  name: 'agenda',
  version: 1,
  handlers: {
    ConferenceScheduled: ({ data }, ops) =>
      ops.update<AgendaDocument>('agendas', data.conferenceId, (current = empty(data.conferenceId)) => ({ ...current, name: data.name, days: data.days })),
    SessionOpened: ({ data }, ops) => {
      const session: AgendaSession = {
        sessionId: data.sessionId,
        title: data.title,
        day: data.day,
        openers: data.openers.map(({ name, role }) => ({ name, role })),
        ballotAwardId: data.ballot?.awardId ?? null,
        ballotClosed: false,
      };
      ops.update<AgendaDocument>('agendas', data.conferenceId, (current = empty(data.conferenceId)) => ({
        ...current,
        sessions: [...current.sessions, session],
      }));
    },
    BallotClosed: ({ data }, ops) =>
      ops.update<AgendaDocument>('agendas', data.conferenceId, (current) =>
        current === undefined
          ? undefined
          : { ...current, sessions: current.sessions.map((s) => (s.sessionId === data.sessionId ? { ...s, ballotClosed: true } : s)) },
      ),
  },
});
