import * as E from 'fp-ts/lib/Either.js';
import * as t from 'io-ts';
import {
  describeDecodeErrors, toJsonSchema, type CommandContext, type ConferenceError, type ConferenceService, type DomainEvent, type JsonSchema,
  type HandledVote, type Position,
} from '@clusterconf/domain';

/** What every service method resolves to, reduced to what the HTTP answer needs. */
export type CommandOutcome = E.Either<ConferenceError, {
  readonly events: readonly DomainEvent[];
  readonly position: Position | undefined;
  /** The revision of the command's stream after it (the revision it was decided on, when it appended nothing). */
  readonly revision: bigint | undefined;
}>;

/** A decoded command, ready to run against the service. */
export type BoundCommand = (service: ConferenceService, context: CommandContext) => Promise<CommandOutcome>;

/** One `POST /commands/<name>`: its request codec, the JSON Schema Fastify validates with, and the method it calls. */
export interface CommandRoute {
  /** The domain command's name, e.g. `CastVote`. */
  readonly command: string;
  readonly codec: t.Mixed;
  readonly schema: JsonSchema;
  /** Decodes a body the schema accepted; the `problems` are "path: expected …, got …" lines. */
  readonly bind: (body: unknown) => E.Either<readonly string[], BoundCommand>;
}

// The request codecs check shape only (which members, which JSON types). The rules on values (slugs, country codes,
// dates, candidates) live in the domain, once, and come back as typed refusals (422 and 409 problems).
const Opener = t.type({ name: t.string, role: t.string }, 'Opener');
const Candidate = t.type({ candidateId: t.string, name: t.string, affiliation: t.string }, 'Candidate');
const Ballot = t.type({ awardId: t.string, candidates: t.array(Candidate) }, 'Ballot');

const route = <Props extends t.Props, Optional extends t.Props>(
  command: string,
  required: Props,
  optional: Optional,
  run: (service: ConferenceService, body: t.TypeOf<t.TypeC<Props>> & Partial<t.TypeOf<t.PartialC<Optional>>>, context: CommandContext) => Promise<CommandOutcome>,
): CommandRoute => {
  // Exact: a member the command does not take is refused, so a misspelt optional member is not silently ignored.
  const codec = t.exact(t.intersection([t.type(required), t.partial(optional)]), command);
  return {
    command,
    codec,
    schema: toJsonSchema(codec),
    bind: (body) => {
      const decoded = codec.decode(body);
      if (E.isLeft(decoded)) return E.left([...new Set(describeDecodeErrors(decoded.left))]);
      const value = decoded.right as t.TypeOf<t.TypeC<Props>> & Partial<t.TypeOf<t.PartialC<Optional>>>;
      return E.right((service, context) => run(service, value, context));
    },
  };
};

/** The commands under their URL names. */
export const commandRoutes = {
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
    // A vote decided on a DCB boundary (createConferenceService({ consistency: 'dcb' })) has no stream revision.
    async (service, body, context) => E.map((vote: HandledVote) => ({ ...vote, revision: 'revision' in vote ? vote.revision : undefined }))(await service.castVote(body, context)),
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
} as const satisfies Record<string, CommandRoute>;

/** A command's URL name, e.g. `cast-vote`. */
export type CommandName = keyof typeof commandRoutes;

/** The URL names of the commands. */
export const commandNames = Object.keys(commandRoutes) as CommandName[];
