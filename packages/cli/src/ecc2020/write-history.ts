import * as E from 'fp-ts/lib/Either.js';
import {
  allianceStream, awardStream, ClusterconfError, commandEventId, conferenceStream, createConferenceService, seededEventIds,
  StreamNotFoundError, type CommandContext, type ConferenceError, type ConferenceService, type EventStore,
} from '@clusterconf/domain';
import { CONFERENCE_ID, DEFAULT_SEED, generateHistory, type HistoryStep } from './generator.js';
import { ECC2020 } from './sources.js';

/** A history step the domain refused: the generator and the deciders disagree, which must never pass silently. */
export class HistoryRefusedError extends ClusterconfError {
  readonly code = 'HISTORY_REFUSED';
  constructor(readonly step: HistoryStep, readonly refusal: ConferenceError) {
    super(`The domain refused ${step.kind} at ${step.at}: ${refusal.message} (${refusal.code}); the seeded history is inconsistent with the deciders`);
  }
}

/** A store holding part of the history: an earlier seed was interrupted. */
export class PartialHistoryError extends ClusterconfError {
  readonly code = 'PARTIAL_HISTORY';
  constructor(readonly store: string) {
    super(`${store} holds only part of the ECC 2020 history (an earlier seed was interrupted): delete it and seed again, or use another store`);
  }
}

/** What a store holds of the ECC 2020 history. */
export type HistoryState = 'empty' | 'partial' | 'complete';

const streamExists = async (store: EventStore, streamId: string): Promise<boolean> => {
  try {
    for await (const _event of store.readStream(streamId, { maxCount: 1 })) return true;
    return false;
  } catch (error) {
    if (error instanceof StreamNotFoundError) return false;
    throw error;
  }
};

/** Looks for the history's first stream and its last-written stream, so an interrupted seed is not mistaken for a full one. */
export const historyState = async (store: EventStore): Promise<HistoryState> => {
  const first = await streamExists(store, conferenceStream(CONFERENCE_ID));
  const last = await streamExists(store, awardStream(ECC2020.specialPrize.awardId));
  if (first && last) return 'complete';
  return first || last ? 'partial' : 'empty';
};

/** One step of the seeded history as the command of the conference service that makes it. */
export const issueHistoryStep = (service: ConferenceService, step: HistoryStep, context: CommandContext) => {
  const conferenceId = CONFERENCE_ID;
  switch (step.kind) {
    case 'scheduleConference':
      return service.scheduleConference({ conferenceId, name: step.name, days: step.days, capacity: null, organisers: step.organisers }, context);
    case 'registerAttendee':
      return service.registerAttendee({ conferenceId, attendeeId: step.attendeeId, name: step.name, country: step.country, stakeholderGroup: step.stakeholderGroup }, context);
    case 'openSession':
      return service.openSession({ conferenceId, sessionId: step.sessionId, title: step.title, day: step.day, openers: step.openers, ballot: step.ballot }, context);
    case 'castVote':
      return service.castVote({ conferenceId, ballotId: step.ballotId, attendeeId: step.attendeeId, candidateId: step.candidateId }, context);
    case 'closeBallot':
      return service.closeBallot({ conferenceId, sessionId: step.sessionId }, context);
    case 'grantVotedAward':
      return service.grantVotedAward({ awardId: step.awardId, edition: step.edition, title: step.title, conferenceId, ballotId: step.ballotId }, context);
    case 'grantJuryAward':
      return service.grantJuryAward({ awardId: step.awardId, edition: step.edition, title: step.title, recipient: step.recipient, affiliation: step.affiliation }, context);
    case 'foundAlliance':
      return service.foundAlliance({ allianceId: step.allianceId, name: step.name }, context);
    case 'joinAlliance':
      return service.joinAlliance({ allianceId: step.allianceId, nation: step.nation, programme: step.programme }, context);
  }
};

/** The command ids a seed's history gets, one per step in order; event ids follow from them (`commandEventId`). */
const historyCommandIds = (seed: number) => seededEventIds(seed ^ 0x5eed);

/** The id of the history's first event (the conference's scheduling) as `seed` writes it. */
export const firstEventId = (seed: number): string => {
  const [first] = generateHistory(seed);
  return commandEventId(conferenceStream(CONFERENCE_ID), historyCommandIds(seed)(new Date(first!.at)), 0);
};

/** Options of `writeEcc2020History`. */
export interface WriteHistoryOptions {
  /** Default `DEFAULT_SEED`; the same seed writes the same events, ids included. */
  readonly seed?: number;
  /** Called after each command with how many of how many are done. */
  readonly onStep?: (done: number, total: number) => void;
}

/** What the writer appended. */
export interface WrittenHistory {
  readonly commands: number;
  readonly events: number;
}

/**
 * Writes the ECC 2020 history into `store` through the conference service, command by command: every event comes
 * out of a decider, and any refusal stops the run with `HistoryRefusedError`. Command ids are seeded, and event ids
 * follow from them, so two runs with one seed write identical events.
 */
export const writeEcc2020History = async (store: EventStore, options: WriteHistoryOptions = {}): Promise<WrittenHistory> => {
  const seed = options.seed ?? DEFAULT_SEED;
  const steps = generateHistory(seed);
  const service = createConferenceService({ store, cacheSize: 16 });
  const commandIds = historyCommandIds(seed);
  let events = 0;
  for (const [index, step] of steps.entries()) {
    const context: CommandContext = { occurredAt: step.at, commandId: commandIds(new Date(step.at)) };
    const result = await issueHistoryStep(service, step, context);
    if (E.isLeft(result)) throw new HistoryRefusedError(step, result.left);
    // A command a crashed earlier run already wrote is answered with its events, which this run did not append.
    if (!result.right.repeated) events += result.right.events.length;
    if (step.kind === 'joinAlliance' && step.nation === ECC2020.alliance.joining.nation) {
      const joined = result.right.events.find((event) => event.type === 'NationJoinedAlliance');
      const number = joined?.type === 'NationJoinedAlliance' ? joined.data.memberNumber : undefined;
      if (number !== ECC2020.alliance.joining.memberNumber) {
        throw new RangeError(`${allianceStream(step.allianceId)} numbered ${step.nation} as member ${number}, but the sources say ${ECC2020.alliance.joining.memberNumber}`);
      }
    }
    options.onStep?.(index + 1, steps.length);
  }
  return { commands: steps.length, events };
};
