import { createHash } from 'node:crypto';
import { createReadStream, existsSync, mkdirSync, renameSync, rmSync, statSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import type { KeyRecord, KeyStore } from '@clusterconf/domain';
import { parseKeyRecord } from '@clusterconf/domain';
import { canonicalJson } from './canonical-json.js';
import { ExportFileError, MissingFileError, UsageError } from './cli-errors.js';

/** The format tag of a key export's trailer line. */
export const KEY_EXPORT_FORMAT = 'clusterconf-keys-ndjson/1';

/** What a key export or a verified key file holds: how many records, and the SHA-256 over their lines. */
export interface KeyFileSummary {
  readonly keys: number;
  readonly sha256: string;
}

/**
 * Writes every entry of the key store as NDJSON, one record per line (`{subject, key, createdAt}` or
 * `{subject, forgottenAt}`, keys sorted), then a trailer with the count and the SHA-256 over the lines. The file holds
 * the keys in the clear: whoever has it and an export of the log can read every subject not forgotten since.
 */
export const exportKeyRecords = async (store: KeyStore, write: (chunk: string) => void | Promise<void>): Promise<KeyFileSummary> => {
  const hash = createHash('sha256');
  let keys = 0;
  for await (const record of store.exportKeys()) {
    const line = `${canonicalJson(record)}\n`;
    hash.update(line);
    keys++;
    await write(line);
  }
  const summary = { keys, sha256: hash.digest('hex') };
  await write(`${JSON.stringify({ format: KEY_EXPORT_FORMAT, ...summary })}\n`);
  return summary;
};

/**
 * Writes a key export to `path` readable by its owner only (mode 0600), beside it first and renamed over it when
 * complete, so a failed export leaves an earlier one whole.
 */
export const writeKeyFile = async (path: string, store: KeyStore): Promise<KeyFileSummary> => {
  if (statSync(path, { throwIfNoEntry: false })?.isDirectory() === true) {
    throw new UsageError(`--out ${path} is a directory; name a file in it, e.g. ${join(path, 'keys.ndjson')}`);
  }
  mkdirSync(dirname(path), { recursive: true });
  const partial = join(dirname(path), `.${basename(path)}.partial-${process.pid}`);
  const file = await open(partial, 'wx', 0o600);
  try {
    const summary = await exportKeyRecords(store, async (chunk) => {
      await file.write(chunk);
    });
    await file.sync();
    await file.close();
    renameSync(partial, path);
    return summary;
  } catch (error) {
    await file.close().catch(() => undefined);
    rmSync(partial, { force: true });
    throw error;
  }
};

/** A key export's last line, as read. */
type KeyTrailer = Partial<KeyFileSummary> & { readonly format?: unknown };

/** Reads and verifies a key export: every record, the count and the checksum; the first problem names its line. */
export const readKeyFile = async (path: string): Promise<{ readonly records: KeyRecord[]; readonly summary: KeyFileSummary }> => {
  if (!existsSync(path)) throw new MissingFileError(path, 'give a file written by `clusterconf keys export --out FILE`');
  const hash = createHash('sha256');
  const records: KeyRecord[] = [];
  let trailer: KeyTrailer | undefined;
  let line = 0;
  for await (const text of createInterface({ input: createReadStream(path, 'utf8'), crlfDelay: Number.POSITIVE_INFINITY })) {
    line++;
    if (text.trim() === '') continue;
    if (trailer !== undefined) throw new ExportFileError(path, line, 'a line follows the trailer; the file is not one key export');
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch {
      throw new ExportFileError(path, line, 'not JSON; a key export holds one JSON object per line');
    }
    if (typeof value === 'object' && value !== null && (value as { format?: unknown }).format !== undefined) {
      trailer = value as KeyTrailer;
      if (trailer.format !== KEY_EXPORT_FORMAT) {
        throw new ExportFileError(path, line, `its format is ${JSON.stringify(trailer.format)}, not ${KEY_EXPORT_FORMAT} (an event export goes to \`clusterconf import\`)`);
      }
      continue;
    }
    const record = parseKeyRecord(value, `${path}:${line}`);
    hash.update(`${canonicalJson(record)}\n`);
    records.push(record);
  }
  if (trailer === undefined) throw new ExportFileError(path, undefined, 'it has no trailer line; the export was cut short, export the keys again');
  const summary = { keys: records.length, sha256: hash.digest('hex') };
  if (trailer.keys !== summary.keys) throw new ExportFileError(path, undefined, `the trailer counts ${trailer.keys} keys but the file holds ${summary.keys}; export the keys again`);
  if (trailer.sha256 !== summary.sha256) {
    throw new ExportFileError(path, undefined, `checksum mismatch: trailer sha256 ${trailer.sha256}, content ${summary.sha256}; the file was altered, export the keys again`);
  }
  return { records, summary };
};
