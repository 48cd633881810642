/**
 * What the runner logs through: the `info`, `warn` and `error` methods of a pino logger (or anything shaped like
 * one), each called with an object of fields first and a message second.
 */
export interface ProjectionLogger {
  info(fields: object, message: string): void;
  warn(fields: object, message: string): void;
  error(fields: object, message: string): void;
}

/** The default: says nothing. */
export const silentLogger: ProjectionLogger = { info: () => undefined, warn: () => undefined, error: () => undefined };
