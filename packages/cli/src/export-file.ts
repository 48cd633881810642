import { createWriteStream, mkdirSync, renameSync, rmSync, statSync, type WriteStream } from 'node:fs';
import { once } from 'node:events';
import { finished } from 'node:stream/promises';
import { basename, dirname, join } from 'node:path';
import { ExportFileError, UsageError } from './cli-errors.js';

/** An export being written beside its target, which it replaces only once complete. */
export interface ExportFile {
  /** Writes a chunk, waiting while the file is behind; rejects with the file's error (a full disk, say). */
  write(chunk: string): Promise<void>;
  /** Finishes the file and puts it in place of the target; on failure, `discard` it. */
  commit(): Promise<void>;
  /** Drops the partial file; the target stays as it was. */
  discard(): Promise<void>;
}

const errorOf = (error: unknown, path: string): Error => {
  const code = (error as NodeJS.ErrnoException).code;
  return new ExportFileError(path, undefined, `cannot write the export${code === undefined ? '' : ` (${code})`}: ${(error as Error).message}; ` +
    'check the path, its permissions and the free space; the previous file at that path, if any, is unchanged');
};

/**
 * Opens an export to `path`: the events go to a partial file in the same directory, renamed over `path` when the
 * export completes, so a failed export (a corrupt event, a full disk, an interrupted run) leaves an earlier export
 * at that path whole. A path that is a device or a pipe is written directly. A directory at `path` is a usage error.
 */
export const openExportFile = async (path: string): Promise<ExportFile> => {
  const existing = statSync(path, { throwIfNoEntry: false });
  if (existing?.isDirectory() === true) throw new UsageError(`--out ${path} is a directory; name a file in it, e.g. ${join(path, 'events.ndjson')}`);
  mkdirSync(dirname(path), { recursive: true });
  // Only a regular file (or none) is replaced whole; a device or a pipe (`/dev/stdout`, a FIFO) is written directly.
  const direct = existing !== undefined && !existing.isFile();
  const partial = direct ? path : join(dirname(path), `.${basename(path)}.partial-${process.pid}`);
  const sink: WriteStream = createWriteStream(partial, { encoding: 'utf8', flags: direct ? 'w' : 'wx' });
  let failure: Error | undefined;
  sink.on('error', (error) => {
    failure ??= errorOf(error, path);
  });
  try {
    await once(sink, 'open');
  } catch (error) {
    throw errorOf(error, path);
  }
  const discard = async (): Promise<void> => {
    sink.destroy();
    await finished(sink).catch(() => undefined);
    if (!direct) rmSync(partial, { force: true });
  };
  // Resolves once the file has room again, or has failed (a failed stream never drains).
  const drained = () =>
    new Promise<void>((resolve) => {
      const done = () => {
        sink.off('drain', done);
        sink.off('close', done);
        resolve();
      };
      sink.on('drain', done);
      sink.on('close', done);
    });
  return {
    async write(chunk) {
      if (failure !== undefined) throw failure;
      if (sink.write(chunk)) return;
      await drained();
      if (failure !== undefined) throw failure;
    },
    async commit() {
      sink.end();
      await finished(sink).catch(() => undefined);
      // The caller discards a file whose commit fails, as it does any failed export.
      if (failure !== undefined) throw failure;
      if (!direct) renameSync(partial, path);
    },
    discard,
  };
};
