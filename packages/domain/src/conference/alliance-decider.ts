import * as E from 'fp-ts/lib/Either.js';
import { pipe } from 'fp-ts/lib/function.js';
import type { Decider } from '../kernel/decider.js';
import { AllianceId, type CountryCode } from './codecs.js';
import { ConferenceErrors, type ConferenceError } from './errors.js';
import type { AllianceStreamEvent } from './events.js';
import { UNKNOWN_EVENT_FIX, unreachable } from './unreachable.js';
import { checkCommand, checkCountry, checkId, checkText } from './validation.js';

/** Founds an alliance. */
export interface FoundAlliance {
  readonly type: 'FoundAlliance';
  readonly allianceId: string;
  readonly name: string;
}

/** A nation joins through its national programme and receives the next member number. */
export interface JoinAlliance {
  readonly type: 'JoinAlliance';
  readonly allianceId: string;
  readonly nation: string;
  readonly programme: string;
}

/** The commands of an `alliance-<id>` stream. */
export type AllianceCommand = FoundAlliance | JoinAlliance;

/** The folded alliance stream: its members and their numbers. */
export type AllianceState =
  | { readonly status: 'unfounded' }
  | { readonly status: 'founded'; readonly allianceId: AllianceId; readonly members: ReadonlyMap<CountryCode, number> };

type Decision = E.Either<ConferenceError, readonly AllianceStreamEvent[]>;

const found = (command: FoundAlliance, state: AllianceState): Decision =>
  pipe(
    E.Do,
    E.apS('allianceId', checkId(AllianceId, 'allianceId', command.allianceId)),
    E.apS('name', checkText('name', command.name)),
    E.chain((valid): Decision =>
      state.status === 'founded'
        ? E.left(ConferenceErrors.allianceAlreadyFounded(valid.allianceId))
        : E.right([{ type: 'AllianceFounded', data: valid }]),
    ),
  );

const join = (command: JoinAlliance, state: AllianceState): Decision =>
  pipe(
    E.Do,
    E.apS('allianceId', checkId(AllianceId, 'allianceId', command.allianceId)),
    E.apS('nation', checkCountry('nation', command.nation)),
    E.apS('programme', checkText('programme', command.programme)),
    E.chain((valid): Decision => {
      if (state.status !== 'founded' || state.allianceId !== valid.allianceId) return E.left(ConferenceErrors.allianceNotFounded(valid.allianceId));
      const existing = state.members.get(valid.nation);
      if (existing !== undefined) return E.left(ConferenceErrors.nationAlreadyMember(valid.allianceId, valid.nation, existing));
      return E.right([{ type: 'NationJoinedAlliance', data: { ...valid, memberNumber: state.members.size + 1 } }]);
    }),
  );

/** The alliance decider over `alliance-<id>`: a nation joins once and gets the next member number. */
export const allianceDecider: Decider<AllianceCommand, AllianceState, AllianceStreamEvent, ConferenceError> = {
  initialState: { status: 'unfounded' },
  evolve: (state, event) => {
    switch (event.type) {
      case 'AllianceFounded':
        return state.status === 'founded' ? state : { status: 'founded', allianceId: event.data.allianceId, members: new Map() };
      case 'NationJoinedAlliance':
        return state.status !== 'founded' || state.members.has(event.data.nation)
          ? state
          : { ...state, members: new Map(state.members).set(event.data.nation, event.data.memberNumber) };
      default:
        return unreachable(event, 'type', 'alliance stream event type', UNKNOWN_EVENT_FIX);
    }
  },
  decide: (command, state) => {
    const known = checkCommand(command, ['FoundAlliance', 'JoinAlliance']);
    if (E.isLeft(known)) return known;
    switch (command.type) {
      case 'FoundAlliance':
        return found(command, state);
      case 'JoinAlliance':
        return join(command, state);
      default:
        return unreachable(command, 'type', 'alliance command type');
    }
  },
};
