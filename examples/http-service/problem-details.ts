import { conferenceErrorKind, type ConferenceError, type ConferenceErrorCode } from '@clusterconf/domain';

/**
 * An RFC 9457 problem: `type` identifies the kind of problem (a URI reference this service serves under
 * `/problems/`), `title` names it, `detail` says what went wrong with this request and what to do, `instance` is
 * the request's path. Extension members carry the data a client acts on (the domain error's fields, `errors`).
 */
export interface ProblemDetails {
  readonly type: string;
  readonly title: string;
  readonly status: number;
  readonly detail: string;
  readonly instance: string;
  readonly [extension: string]: unknown;
}

/** The media type of every error body. */
export const PROBLEM_MEDIA_TYPE = 'application/problem+json';

/** One entry of RFC 9457's `errors` extension: what is wrong, and where (a JSON pointer, a query parameter or a header). */
export type ProblemItem =
  | { readonly pointer: string; readonly detail: string }
  | { readonly parameter: string; readonly detail: string }
  | { readonly header: string; readonly detail: string };

/** A kind of problem: its title and status; its `type` is `/problems/<name>`. */
export interface ProblemType {
  readonly name: string;
  readonly title: string;
  readonly status: number;
}

/** The problems of the HTTP edge itself, by name. */
export const edgeProblems = {
  'invalid-json': { title: 'Body is not JSON', status: 400 },
  'invalid-command': { title: 'Body is not the command', status: 400 },
  'invalid-query': { title: 'Query is not understood', status: 400 },
  'invalid-header': { title: 'Header is not understood', status: 400 },
  'bad-request': { title: 'Request is malformed', status: 400 },
  'not-found': { title: 'Nothing is served here', status: 404 },
  'document-not-found': { title: 'Read model has no such document', status: 404 },
  'resource-not-found': { title: 'No such resource', status: 404 },
  'method-not-allowed': { title: 'Method not allowed', status: 405 },
  'precondition-failed': { title: 'Stream is not at the revision If-Match names', status: 412 },
  'body-too-large': { title: 'Body is too large', status: 413 },
  'unsupported-media-type': { title: 'Body is not JSON', status: 415 },
  'not-ready': { title: 'Projections are not live', status: 503 },
  'service-unavailable': { title: 'Service unavailable', status: 503 },
  'internal-error': { title: 'Internal error', status: 500 },
} as const satisfies Record<string, Omit<ProblemType, 'name'>>;

export type EdgeProblemName = keyof typeof edgeProblems;

/** `AlreadyVoted` → `already-voted`, `WAIT_FOR_POSITION_FAILED` → `wait-for-position-failed`. */
export const kebabCase = (code: string): string =>
  code.includes('_') ? code.toLowerCase().replaceAll('_', '-') : code.replace(/(?<=[a-z0-9])(?=[A-Z])/g, '-').toLowerCase();

/** `AlreadyVoted` → `Already voted`. */
const sentence = (code: string): string => {
  const words = kebabCase(code).split('-');
  return [words[0]![0]!.toUpperCase() + words[0]!.slice(1), ...words.slice(1)].join(' ');
};

/**
 * The status of a domain refusal: 422 when a value breaks a rule (a bad slug, an unknown country, a candidate not on
 * the shortlist), 409 when the current state of the conference, award or alliance refuses the command.
 */
export const refusalStatus = (error: ConferenceError): 409 | 422 => (conferenceErrorKind(error) === 'invalid-input' ? 422 : 409);

// Every domain code, so that `/problems/<name>` can describe each; the type makes a new code impossible to forget.
const DOMAIN_CODES: Record<ConferenceErrorCode, null> = {
  InvalidInput: null, BlankField: null, InvalidCountry: null, UnknownStakeholderGroup: null,
  ConferenceAlreadyScheduled: null, ConferenceNotScheduled: null, AttendeeAlreadyRegistered: null,
  CapacityReached: null, SessionAlreadyOpened: null, SessionOutsideConferenceDays: null, SessionNeedsOpeners: null,
  BallotNeedsTwoCandidates: null, DuplicateCandidate: null, SessionNotFound: null, NotABallot: null,
  BallotAlreadyClosed: null, NotRegistered: null, BallotNotOpen: null, UnknownCandidate: null, AlreadyVoted: null,
  BallotMismatch: null, AwardAlreadyGranted: null, BallotAlreadyUsed: null, BallotStillOpen: null, EmptyTally: null,
  TieNeedsDecision: null, InvalidTieBreak: null, AllianceAlreadyFounded: null, AllianceNotFounded: null,
  NationAlreadyMember: null,
};

/** The problem type of a domain refusal, named after its code. */
export const domainProblemType = (code: ConferenceErrorCode): ProblemType =>
  // conferenceErrorKind reads the code alone.
  ({ name: kebabCase(code), title: sentence(code), status: refusalStatus({ code } as ConferenceError) });

/** The type of an error a store or the runner throws when a retry later may succeed (503), named after its code. */
export const unavailableProblemType = (code: string): ProblemType =>
  ({ name: kebabCase(code), title: sentence(code), status: 503 });

/** Every problem type this service answers with, by name, for `GET /problems/<name>` and the OpenAPI document. */
export const problemTypes: ReadonlyMap<string, ProblemType> = new Map(
  [
    ...Object.entries(edgeProblems).map(([name, type]) => ({ name, ...type })),
    ...(Object.keys(DOMAIN_CODES) as ConferenceErrorCode[]).map(domainProblemType),
    ...['WAIT_FOR_POSITION_FAILED', 'RETRIES_EXHAUSTED', 'COMMAND_OUTCOME_UNKNOWN', 'STORE_UNAVAILABLE', 'STORE_CLOSED'].map(unavailableProblemType),
  ].map((type) => [type.name, type]),
);

/** The `type` URI of a problem type: a path of this service, so a client can look it up. */
export const problemTypeUri = (name: string): string => `/problems/${name}`;

/** A problem of the given type for the request at `instance`, with extension members. */
export const problemOf = (type: ProblemType, detail: string, instance: string, extensions: Readonly<Record<string, unknown>> = {}): ProblemDetails => {
  const members = { type: problemTypeUri(type.name), title: type.title, status: type.status, detail, instance };
  // The RFC's members first, and never replaced by an extension.
  return { ...members, ...extensions, ...members };
};

/** RFC 9457's own members: a domain field of the same name is renamed `domain<Name>` (BallotNotOpen's `status`). */
const PROBLEM_MEMBERS = new Set(['type', 'title', 'status', 'detail', 'instance', 'errors']);

/** A problem of the edge's own. */
export const edgeProblem = (name: EdgeProblemName, detail: string, instance: string, extensions?: Readonly<Record<string, unknown>>): ProblemDetails =>
  problemOf({ name, ...edgeProblems[name] }, detail, instance, extensions);

/** A domain refusal as a problem: its message is the detail, its data (attendeeId, votedFor…) the extension members. Pure. */
export const refusalProblem = (error: ConferenceError, instance: string): ProblemDetails => {
  const { code: _code, message, ...data } = error;
  const extensions = Object.fromEntries(Object.entries(data).map(([key, value]) =>
    [PROBLEM_MEMBERS.has(key) ? `domain${key[0]!.toUpperCase()}${key.slice(1)}` : key, value]));
  return problemOf(domainProblemType(error.code), message, instance, extensions);
};
