import * as E from 'fp-ts/lib/Either.js';
import * as t from 'io-ts';
import {
  describeDecodeErrors, type CommandContext, type ConferenceError, type ConferenceService, type DomainEvent, type Position,
} from '@clusterconf/domain';

/** What every service method resolves to, reduced to what the HTTP answer needs. */
export type CommandOutcome = E.Either<ConferenceError, { readonly events: readonly DomainEvent[]; readonly position: Position | undefined }>;

/** A decoded command, ready to run against the service. */
export type BoundCommand = (service: ConferenceService, context: CommandContext) => Promise<CommandOutcome>;

/** One `POST /commands/<name>`: its request codec and the service method it calls. */
interface CommandRoute {
  /** Checks the parsed JSON body; the `problems` are "path: expected …, got …" lines. */
  readonly bind: (body: unknown) => E.Either<readonly string[], BoundCommand>;
}

// The request codecs check shape only (which fields, which JSON types). The rules on values (slugs, country codes,
// dates, candidates) live in the domain, once, and come back as typed refusals: see `refusalReply`.
const Opener = t.type({ name: t.string, role: t.string }, 'Opener');
const Candidate = t.type({ candidateId: t.string, name: t.string, affiliation: t.string }, 'Candidate');
const Ballot = t.type({ awardId: t.string, candidates: t.array(Candidate) }, 'Ballot');

const route = <Props extends t.Props, Optional extends t.Props>(
  name: string,
  required: Props,
  optional: Optional,
  run: (service: ConferenceService, body: t.TypeOf<t.TypeC<Props>> & Partial<t.TypeOf<t.PartialC<Optional>>>, context: CommandContext) => Promise<CommandOutcome>,
): CommandRoute => {
  const codec = t.intersection([t.type(required, name), t.partial(optional)], name);
  const known = [...Object.keys(required), ...Object.keys(optional)];
  return {
    bind: (body) => {
      if (typeof body !== 'object' || body === null || Array.isArray(body)) {
        return E.left([`(root): expected a JSON object with ${known.join(', ')}, got ${JSON.stringify(body).slice(0, 60)}`]);
      }
      const decoded = codec.decode(body);
      if (E.isLeft(decoded)) return E.left([...new Set(describeDecodeErrors(decoded.left))]);
      // io-ts lets unknown fields through; a typo in an optional field would otherwise be ignored without a word.
      const unknown = Object.keys(body as object).filter((key) => !known.includes(key));
      if (unknown.length > 0) {
        return E.left(unknown.map((key) => `${key}: unknown field; ${name} takes ${known.join(', ')}`));
      }
      const command = decoded.right as t.TypeOf<t.TypeC<Props>> & Partial<t.TypeOf<t.PartialC<Optional>>>;
      return E.right((service, context) => run(service, command, context));
    },
  };
};

/** The commands under their URL names, each with its request codec. */
export const commandRoutes: Readonly<Record<string, CommandRoute>> = {
  'schedule-conference': route(
    'ScheduleConference',
    { conferenceId: t.string, name: t.string, days: t.array(t.string), capacity: t.union([t.number, t.null]), organisers: t.array(t.string) },
    {},
    (service, body, context) => service.scheduleConference(body, context),
  ),
  'register-attendee': route(
    'RegisterAttendee',
    { conferenceId: t.string, attendeeId: t.string, name: t.string, country: t.string, stakeholderGroup: t.string },
    {},
    (service, body, context) => service.registerAttendee(body, context),
  ),
  'open-session': route(
    'OpenSession',
    { conferenceId: t.string, sessionId: t.string, title: t.string, day: t.string, openers: t.array(Opener), ballot: t.union([t.null, Ballot]) },
    {},
    (service, body, context) => service.openSession(body, context),
  ),
  'close-ballot': route(
    'CloseBallot',
    { conferenceId: t.string, sessionId: t.string },
    {},
    (service, body, context) => service.closeBallot(body, context),
  ),
  'cast-vote': route(
    'CastVote',
    { conferenceId: t.string, ballotId: t.string, attendeeId: t.string, candidateId: t.string },
    {},
    (service, body, context) => service.castVote(body, context),
  ),
  'grant-jury-award': route(
    'GrantJuryAward',
    { awardId: t.string, edition: t.number, title: t.string, recipient: t.string, affiliation: t.string },
    {},
    (service, body, context) => service.grantJuryAward(body, context),
  ),
  'grant-voted-award': route(
    'GrantVotedAward',
    { awardId: t.string, edition: t.number, title: t.string, conferenceId: t.string, ballotId: t.string },
    { tieBreak: t.string },
    (service, body, context) => service.grantVotedAward(body, context),
  ),
  'found-alliance': route(
    'FoundAlliance',
    { allianceId: t.string, name: t.string },
    {},
    (service, body, context) => service.foundAlliance(body, context),
  ),
  'join-alliance': route(
    'JoinAlliance',
    { allianceId: t.string, nation: t.string, programme: t.string },
    {},
    (service, body, context) => service.joinAlliance(body, context),
  ),
};

/** The URL names of the commands, for routing and for messages. */
export const commandNames: readonly string[] = Object.keys(commandRoutes);
