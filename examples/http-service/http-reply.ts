import { PROBLEM_MEDIA_TYPE, type ProblemDetails } from './problem-details.js';

/** An answer the HTTP edge writes as is: a status, its JSON body and any headers (a `content-type` among them). */
export interface HttpReply {
  readonly status: number;
  readonly body: unknown;
  readonly headers?: Readonly<Record<string, string>>;
}

/** A JSON answer. */
export const jsonReply = (status: number, body: unknown, headers?: Readonly<Record<string, string>>): HttpReply =>
  headers === undefined ? { status, body } : { status, body, headers };

/** A problem as an answer: its status, `application/problem+json`, and any headers (`Allow`, `Retry-After`). */
export const problemReply = (problem: ProblemDetails, headers: Readonly<Record<string, string>> = {}): HttpReply =>
  ({ status: problem.status, body: problem, headers: { ...headers, 'content-type': PROBLEM_MEDIA_TYPE } });
