import { isAbsolute, resolve } from 'node:path';
import { InvalidStoreUrlError } from './cli-errors.js';

/** Where events live, parsed from `--store`. `display` is the URL with any password masked, for messages. */
export type StoreUrl =
  | { readonly kind: 'sqlite'; readonly path: string; readonly display: string }
  | { readonly kind: 'postgres'; readonly connectionString: string; readonly schema: string | undefined; readonly display: string }
  | { readonly kind: 'esdb'; readonly connectionString: string; readonly display: string };

const SCHEMA_NAME = /^[a-z_][a-z0-9_]{0,62}$/;

/**
 * Replaces the password of any `scheme://user:password@host` URL inside a text with `***`. The password runs to the
 * last `@` before whitespace, so one holding `@` is masked whole (an `@` further on, in an option, masks too much,
 * never too little).
 */
export const maskPassword = (text: string): string => text.replace(/(\b[a-z][a-z0-9+.-]*:\/\/[^:/@\s]*:)\S*@/gi, '$1***@');

const parseUrl = (raw: string, display: string): URL => {
  try {
    return new URL(raw);
  } catch {
    throw new InvalidStoreUrlError(display, 'Malformed URL');
  }
};

const parseSqlite = (raw: string, cwd: string): StoreUrl => {
  let path = raw.slice('sqlite:'.length);
  // `sqlite:///abs/file` and `sqlite://rel/file` are common spellings; both mean the path after the slashes.
  if (path.startsWith('//')) path = path.slice(2);
  if (path.length === 0) throw new InvalidStoreUrlError(raw, 'No file path');
  if (path === ':memory:') return { kind: 'sqlite', path, display: raw };
  const absolute = isAbsolute(path) ? path : resolve(cwd, path);
  return { kind: 'sqlite', path: absolute, display: `sqlite:${absolute}` };
};

const parsePostgres = (raw: string): StoreUrl => {
  const display = maskPassword(raw);
  const url = parseUrl(raw, display);
  if (url.hostname === '') throw new InvalidStoreUrlError(display, 'No host');
  if (url.pathname.length <= 1) throw new InvalidStoreUrlError(display, 'No database name');
  const schema = url.searchParams.get('schema') ?? undefined;
  if (schema !== undefined && !SCHEMA_NAME.test(schema)) {
    throw new InvalidStoreUrlError(display, `Schema "${schema}" is not a lower-case SQL identifier (letters, digits, _; at most 63)`);
  }
  // pg does not know `schema`; the adapter takes it as an option instead.
  url.searchParams.delete('schema');
  return { kind: 'postgres', connectionString: url.toString(), schema, display };
};

/**
 * An esdb:// or kurrentdb:// string, checked only for hosts: not through URL, which refuses a cluster's
 * comma-separated hosts (`esdb://db1:2113,db2:2113`). The adapter checks the rest when it opens the store.
 */
const parseEsdb = (raw: string): StoreUrl => {
  const display = maskPassword(raw);
  const afterScheme = raw.slice(raw.indexOf('://') + 3);
  const hosts = afterScheme.slice(afterScheme.lastIndexOf('@') + 1).split(/[/?]/)[0]!;
  if (hosts === '' || hosts.split(',').some((host) => host.trim() === '')) throw new InvalidStoreUrlError(display, 'No host');
  return { kind: 'esdb', connectionString: raw, display };
};

/**
 * Parses a `--store` value: `sqlite:PATH` (relative to `cwd`, or `sqlite::memory:`), `postgres://...` or
 * `postgresql://...` with an optional `?schema=`, or `esdb://...` / `kurrentdb://...` (kind `esdb`: the adapter opens
 * the first with @eventstore/db-client, the second with @kurrent/kurrentdb-client). Throws `InvalidStoreUrlError` for
 * anything else.
 */
export const parseStoreUrl = (raw: string, cwd: string = process.cwd()): StoreUrl => {
  const text = raw.trim();
  const scheme = /^([a-z][a-z0-9+.-]*):/i.exec(text)?.[1]?.toLowerCase();
  switch (scheme) {
    case 'sqlite':
      return parseSqlite(text, cwd);
    case 'postgres':
    case 'postgresql':
      return parsePostgres(text);
    // @eventstore/db-client's schemes, then @kurrent/kurrentdb-client's: the same store, through either client.
    case 'esdb':
    case 'esdb+discover':
    case 'kurrentdb':
    case 'kurrentdb+discover':
    case 'kurrent':
    case 'kurrent+discover':
    case 'kdb':
    case 'kdb+discover':
      return parseEsdb(text);
    case undefined:
      throw new InvalidStoreUrlError(maskPassword(text), 'No scheme');
    default:
      throw new InvalidStoreUrlError(maskPassword(text), `Unknown scheme "${scheme}:"`);
  }
};
