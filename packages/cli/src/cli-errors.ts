import { ClusterconfError } from '@clusterconf/domain';

/** A command line that cannot run as given (unknown projection, bad option value); exits with code 2. */
export class UsageError extends ClusterconfError {
  readonly code = 'USAGE';
}

/** A store URL that names no supported backend or is malformed. */
export class InvalidStoreUrlError extends ClusterconfError {
  readonly code = 'INVALID_STORE_URL';
  constructor(readonly url: string, reason: string) {
    super(
      `${reason} in store URL "${url}": use sqlite:PATH (e.g. sqlite:data/ecc2020.sqlite), ` +
        `postgres://USER:PASSWORD@HOST:5432/DB?schema=NAME, esdb://HOST:2113?tls=false or kurrentdb://HOST:2113?tls=false`,
    );
  }
}

/** A clusterconf config that cannot be loaded, or whose default export is not a config. */
export class ConfigError extends ClusterconfError {
  readonly code = 'BAD_CONFIG';
}

/** A file the command must read does not exist or cannot be opened. */
export class MissingFileError extends ClusterconfError {
  readonly code = 'MISSING_FILE';
  constructor(readonly path: string, readonly fix: string) {
    super(`No such file: ${path}: ${fix}`);
  }
}

/** An NDJSON export file that is malformed, truncated or fails its checksum. */
export class ExportFileError extends ClusterconfError {
  readonly code = 'BAD_EXPORT_FILE';
  constructor(readonly path: string, readonly line: number | undefined, reason: string) {
    super(`${path}${line === undefined ? '' : `:${line}`}: ${reason}`);
  }
}

/** An import whose events clash with what the target store already holds. */
export class ImportConflictError extends ClusterconfError {
  readonly code = 'IMPORT_CONFLICT';
  constructor(readonly path: string, readonly line: number, reason: string, options?: { cause?: unknown }) {
    super(`${path}:${line}: ${reason}`, options);
  }
}

/** An import whose re-read of the target does not reproduce the file's count or checksum. */
export class ImportVerificationError extends ClusterconfError {
  readonly code = 'IMPORT_NOT_VERIFIED';
}

const firstLine = (text: string): string => text.split('\n', 1)[0] ?? text;

/** Turns any error into the one line the CLI prints, with a fix where the error carries one. */
export const describeError = (error: unknown, options: { verbose?: boolean } = {}): string => {
  if (error instanceof ClusterconfError) return firstLine(error.message);
  if (error instanceof Error) {
    const code = (error as { code?: unknown }).code;
    const prefix = typeof code === 'string' && !error.message.startsWith(code) ? `${code}: ` : '';
    return firstLine(`${prefix}${error.message}`) + (options.verbose ? '' : ' (run again with --verbose for the stack trace)');
  }
  return firstLine(String(error));
};

/** The exit code for an error: 2 for usage mistakes, 1 for everything else. */
export const exitCodeFor = (error: unknown): number => (error instanceof UsageError ? 2 : 1);
