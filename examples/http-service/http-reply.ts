/** A JSON answer the HTTP edge writes as is: a status, its body and any extra headers. */
export interface HttpReply {
  readonly status: number;
  readonly body: unknown;
  readonly headers?: Readonly<Record<string, string>>;
}

/** The body of every error reply: a stable `error` code, a message saying what to do, and details when there are some. */
export interface ErrorBody {
  readonly error: string;
  readonly message: string;
  readonly problems?: readonly string[];
  readonly [detail: string]: unknown;
}

/** Builds an error reply. */
export const errorReply = (status: number, body: ErrorBody, headers?: Record<string, string>): HttpReply =>
  headers === undefined ? { status, body } : { status, body, headers };

/** Builds a successful JSON reply. */
export const jsonReply = (status: number, body: unknown, headers?: Record<string, string>): HttpReply =>
  headers === undefined ? { status, body } : { status, body, headers };
