import * as E from 'fp-ts/lib/Either.js';
import type { CommandContext, HandledCommand } from '../../kernel/command-handler.js';
import { createCommandHandler } from '../../kernel/command-handler.js';
import { createDcbCommandHandler, type HandledDcbCommand } from '../../kernel/dcb-command-handler.js';
import type { DcbEventStore } from '../../kernel/dcb-event-store.js';
import type { DomainEvent } from '../../kernel/event.js';
import type { EventStore } from '../../kernel/event-store.js';
import { allianceDecider, type AllianceState, type FoundAlliance, type JoinAlliance } from '../alliance-decider.js';
import { awardDecider, type AwardState, type GrantJuryAward } from '../award-decider.js';
import { ballotView } from '../ballot-view.js';
import { AllianceId, AttendeeId, AwardId, ConferenceId, SessionId } from '../codecs.js';
import {
  conferenceDecider, type CloseBallot, type ConferenceState, type OpenSession, type RegisterAttendee, type ScheduleConference,
} from '../conference-decider.js';
import type { ConferenceError } from '../errors.js';
import {
  allianceStreamEvents, awardStreamEvents, conferenceEvents, conferenceStreamEvents, voteBoundaryEvents, voteStreamEvents,
  type AllianceStreamEvent, type AwardGranted, type ConferenceStreamEvent, type VoteBoundaryEvent, type VoteCast,
} from '../events.js';
import { dcbVoteDecider, type VoteBoundaryState } from '../dcb-vote-decider.js';
import { allianceStream, awardStream, conferenceStream, voteStream, voteStreamPrefix } from '../streams.js';
import { voteBoundaryQuery } from '../tags.js';
import { tallyVotes, type BallotTally } from '../tally.js';
import { checkId } from '../validation.js';
import { voteDecider, type VoteState } from '../vote-decider.js';

/**
 * How the service guards the vote's rules:
 * - `'streams'` (the default): one stream per attendee and ballot, appended with `no_stream`, guards "one vote each";
 *   "no vote after the close" is not guarded at append time: a vote decided on the ballot as the conference stream
 *   had it, racing the close, is stored after it, and the tally reports it as late;
 * - `'dcb'`: the vote is decided on `voteBoundaryQuery` (the attendee's votes on the ballot, the ballot's opening and
 *   close) and appended on the condition that nothing it selects was stored since, so both rules hold at append
 *   time: a vote racing the close is refused with `BallotNotOpen`. The store must offer `DcbEventStore`
 *   (`capabilities.dcb`; memory, SQLite, PostgreSQL), or the service is refused with `DcbNotSupportedError`.
 * Both write the same events to the same streams, with the same tags and ids, so a store can move from one to the other.
 */
export type VoteConsistency = 'streams' | 'dcb';

/** Options of `createConferenceService`. */
export interface ConferenceServiceOptions {
  readonly store: EventStore;
  /** How votes are guarded; default `'streams'`. See `VoteConsistency`. */
  readonly consistency?: VoteConsistency;
  /**
   * How many conference (and alliance, award) streams to keep folded in memory, so a command reads only the tail;
   * default 16. Every vote reads its conference stream, so without a cache each vote would refold all registrations.
   */
  readonly cacheSize?: number;
  /** Attempts per command on write conflicts; default 10, raise it for many writers on one conference stream. */
  readonly maxAttempts?: number;
}

/** A command as the service takes it: without its `type`, which the method name gives. */
export type CommandInput<Command> = Omit<Command, 'type'>;

/** What `castVote` takes: the vote, without ballot facts, which the service reads from the conference stream. */
export interface CastVoteInput {
  readonly conferenceId: string;
  readonly ballotId: string;
  readonly attendeeId: string;
  readonly candidateId: string;
}

/** What `grantVotedAward` takes: the service computes the tally from the log itself. */
export interface GrantVotedAwardInput {
  readonly awardId: string;
  readonly edition: number;
  readonly title: string;
  readonly conferenceId: string;
  readonly ballotId: string;
  /** Names the winner among tied leaders, after a `TieNeedsDecision`. */
  readonly tieBreak?: string;
}

type Result<State, Event extends DomainEvent> = Promise<E.Either<ConferenceError, HandledCommand<State, Event>>>;

/** A handled vote: on its stream (`'streams'`, with the stream's revision) or on its DCB boundary (`'dcb'`). */
export type HandledVote = HandledCommand<VoteState, VoteCast> | HandledDcbCommand<VoteState, VoteCast>;

/** The conference application: each method loads its stream, decides, and appends, or returns a typed refusal. */
export interface ConferenceService {
  /** Schedules a conference on `conference-<id>`. */
  scheduleConference(command: CommandInput<ScheduleConference>, context: CommandContext): Result<ConferenceState, ConferenceStreamEvent>;
  /** Registers an attendee once, within the conference's capacity. */
  registerAttendee(command: CommandInput<RegisterAttendee>, context: CommandContext): Result<ConferenceState, ConferenceStreamEvent>;
  /** Opens a session, and with it its ballot if it has one. */
  openSession(command: CommandInput<OpenSession>, context: CommandContext): Result<ConferenceState, ConferenceStreamEvent>;
  /** Closes a ballot: later votes in the log are late and do not count. */
  closeBallot(command: CommandInput<CloseBallot>, context: CommandContext): Result<ConferenceState, ConferenceStreamEvent>;
  /**
   * Appends the vote to its own stream, with `no_stream` or, in the DCB model, on the condition of its boundary (see
   * `VoteConsistency`); a repeated identical vote succeeds with no events.
   */
  castVote(command: CastVoteInput, context: CommandContext): Promise<E.Either<ConferenceError, HandledVote>>;
  /** Grants an award edition by jury decision. */
  grantJuryAward(command: CommandInput<GrantJuryAward>, context: CommandContext): Result<AwardState, AwardGranted>;
  /** Grants the award to the leader of the closed ballot, by the tally of the log. */
  grantVotedAward(command: GrantVotedAwardInput, context: CommandContext): Result<AwardState, AwardGranted>;
  /** Founds an alliance on `alliance-<id>`. */
  foundAlliance(command: CommandInput<FoundAlliance>, context: CommandContext): Result<AllianceState, AllianceStreamEvent>;
  /** Adds a nation to an alliance with the next member number. */
  joinAlliance(command: CommandInput<JoinAlliance>, context: CommandContext): Result<AllianceState, AllianceStreamEvent>;
  /** The folded conference stream. */
  loadConference(conferenceId: string): Promise<E.Either<ConferenceError, ConferenceState>>;
  /** The tally of a ballot as the global log has it: votes before the close count, later ones are listed as late. */
  ballotTally(conferenceId: string, ballotId: string): Promise<E.Either<ConferenceError, BallotTally>>;
}

/** Builds the conference application over an event store. */
export const createConferenceService = (options: ConferenceServiceOptions): ConferenceService => {
  const { store } = options;
  const cacheSize = options.cacheSize ?? 16;
  const shared = { store, maxAttempts: options.maxAttempts };
  const conferences = createCommandHandler({ ...shared, registry: conferenceStreamEvents, decider: conferenceDecider, cacheSize });
  // Vote streams are written once each: caching them would only hold memory.
  const votes = createCommandHandler({ ...shared, registry: voteStreamEvents, decider: voteDecider });
  // Created up front in the DCB model, so a store without the capability is refused here, not at the first vote.
  const boundaryVotes = options.consistency === 'dcb'
    ? createDcbCommandHandler({ store: store as EventStore & DcbEventStore, registry: voteBoundaryEvents, decider: dcbVoteDecider, maxAttempts: options.maxAttempts })
    : undefined;
  const awards = createCommandHandler({ ...shared, registry: awardStreamEvents, decider: awardDecider, cacheSize });
  const alliances = createCommandHandler({ ...shared, registry: allianceStreamEvents, decider: allianceDecider, cacheSize });

  // Ids become stream ids, so they are checked before any read: a bad id is a Left, never a store error.
  const conferenceIdOf = (id: string) => checkId(ConferenceId, 'conferenceId', id);

  const readTally = async (conferenceId: string, ballotId: string): Promise<BallotTally> => {
    const conference = conferenceStream(conferenceId);
    const prefix = voteStreamPrefix(conferenceId, ballotId);
    const events: DomainEvent[] = [];
    const filter = { streamPrefixes: [prefix, conference], eventTypes: ['SessionOpened', 'BallotClosed', 'VoteCast'] };
    for await (const recorded of store.readAll({ filter })) {
      // `conference-ecc` is also a prefix of `conference-ecc2020`: keep only this conference's own stream.
      if (recorded.streamId !== conference && !recorded.streamId.startsWith(prefix)) continue;
      const decoded = conferenceEvents.decode(recorded);
      if (E.isLeft(decoded)) throw decoded.left;
      events.push(decoded.right);
    }
    return tallyVotes(events, conferenceId, ballotId);
  };

  const onConference = async (conferenceId: string, command: Parameters<typeof conferences.handle>[1], context: CommandContext) => {
    const checked = conferenceIdOf(conferenceId);
    return E.isLeft(checked) ? checked : conferences.handle(conferenceStream(checked.right), command, context);
  };

  return {
    scheduleConference: (command, context) => onConference(command.conferenceId, { ...command, type: 'ScheduleConference' }, context),
    registerAttendee: (command, context) => onConference(command.conferenceId, { ...command, type: 'RegisterAttendee' }, context),
    openSession: (command, context) => onConference(command.conferenceId, { ...command, type: 'OpenSession' }, context),
    closeBallot: (command, context) => onConference(command.conferenceId, { ...command, type: 'CloseBallot' }, context),

    castVote: async (command, context) => {
      const conferenceId = conferenceIdOf(command.conferenceId);
      if (E.isLeft(conferenceId)) return conferenceId;
      const ballotId = checkId(SessionId, 'ballotId', command.ballotId);
      if (E.isLeft(ballotId)) return ballotId;
      const attendeeId = checkId(AttendeeId, 'attendeeId', command.attendeeId);
      if (E.isLeft(attendeeId)) return attendeeId;
      const { state } = await conferences.load(conferenceStream(conferenceId.right));
      // The view says whether the conference, the session and its ballot exist; the vote decider refuses accordingly.
      const ballot = ballotView(state, command.conferenceId, command.ballotId, command.attendeeId);
      const streamId = voteStream(conferenceId.right, ballotId.right, attendeeId.right);
      const cast = { ...command, type: 'CastVote' as const, ballot };
      // A concurrent duplicate loses the no_stream race (or fails its condition), is retried by the handler, and then
      // decides against the vote that won: the same candidate is an idempotent success, another one is AlreadyVoted.
      if (boundaryVotes === undefined) return votes.handle(streamId, cast, context);
      // The boundary also holds the ballot's close: a vote that read it open but races the close fails its condition,
      // reads the close, and is refused.
      const handled = await boundaryVotes.handle({ query: voteBoundaryQuery(conferenceId.right, ballotId.right, attendeeId.right), streamId }, cast, context);
      // The decider decides VoteCast events only; the boundary's other types are what it reads.
      return E.map((vote: HandledDcbCommand<VoteBoundaryState, VoteBoundaryEvent>): HandledVote => ({
        ...vote,
        state: { vote: vote.state.vote },
        events: vote.events.filter((event): event is VoteCast => event.type === 'VoteCast'),
      }))(handled);
    },

    grantJuryAward: async (command, context) => {
      const awardId = checkId(AwardId, 'awardId', command.awardId);
      return E.isLeft(awardId) ? awardId : awards.handle(awardStream(awardId.right), { ...command, type: 'GrantJuryAward' }, context);
    },

    grantVotedAward: async (command, context) => {
      const awardId = checkId(AwardId, 'awardId', command.awardId);
      if (E.isLeft(awardId)) return awardId;
      const conferenceId = conferenceIdOf(command.conferenceId);
      if (E.isLeft(conferenceId)) return conferenceId;
      const ballotId = checkId(SessionId, 'ballotId', command.ballotId);
      if (E.isLeft(ballotId)) return ballotId;
      const ballot = await readTally(conferenceId.right, ballotId.right);
      const { awardId: _awardId, edition, title, tieBreak } = command;
      return awards.handle(awardStream(awardId.right), { type: 'GrantVotedAward', awardId: awardId.right, edition, title, ballot, tieBreak }, context);
    },

    foundAlliance: async (command, context) => {
      const allianceId = checkId(AllianceId, 'allianceId', command.allianceId);
      return E.isLeft(allianceId) ? allianceId : alliances.handle(allianceStream(allianceId.right), { ...command, type: 'FoundAlliance' }, context);
    },
    joinAlliance: async (command, context) => {
      const allianceId = checkId(AllianceId, 'allianceId', command.allianceId);
      return E.isLeft(allianceId) ? allianceId : alliances.handle(allianceStream(allianceId.right), { ...command, type: 'JoinAlliance' }, context);
    },

    loadConference: async (conferenceId) => {
      const checked = conferenceIdOf(conferenceId);
      return E.isLeft(checked) ? checked : E.right((await conferences.load(conferenceStream(checked.right))).state);
    },
    ballotTally: async (conferenceId, ballotId) => {
      const checkedConference = conferenceIdOf(conferenceId);
      if (E.isLeft(checkedConference)) return checkedConference;
      const checkedBallot = checkId(SessionId, 'ballotId', ballotId);
      return E.isLeft(checkedBallot) ? checkedBallot : E.right(await readTally(checkedConference.right, checkedBallot.right));
    },
  };
};
