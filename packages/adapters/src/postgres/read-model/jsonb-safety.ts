import type { BatchRows } from '../../shared/read-model/batch-rows.js';
import { InvalidDocumentError, type DocumentProblem } from '../../shared/read-model/read-model-errors.js';

/**
 * Characters PostgreSQL cannot hold in jsonb (or in text, for U+0000): U+0000, and a UTF-16 surrogate without its
 * pair, which is no Unicode character at all. JavaScript strings, JSON text, SQLite and the memory store keep both, so
 * a document that is fine elsewhere fails here, and jsonb's error (22P05) would fail the whole batch without naming the
 * document. The store checks for them before sending a batch instead.
 */
// eslint-disable-next-line no-control-regex -- U+0000 is what the pattern is for
const UNSAFE = /\u0000|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

const JSONB: DocumentProblem = {
  problem: "cannot be stored in PostgreSQL's jsonb",
  fix: 'Remove U+0000 and unpaired surrogates from document strings (send binary data as base64), or keep such read ' +
    'models in the SQLite or memory read-model store, which hold them',
};

/** What is wrong with one string, or `undefined` when jsonb can hold it. */
const unsafeIn = (text: string): string | undefined => {
  const found = UNSAFE.exec(text);
  if (found === null) return undefined;
  const char = found[0].charCodeAt(0);
  return char === 0
    ? `U+0000 (NUL) at index ${found.index}`
    : `the unpaired surrogate U+${char.toString(16).toUpperCase()} at index ${found.index}`;
};

const IDENTIFIER = /^[A-Za-z_$][\w$]*$/;
const member = (path: string, key: string): string => (IDENTIFIER.test(key) ? `${path}.${key}` : `${path}[${JSON.stringify(key)}]`);

/** The first key or string value of a parsed JSON value that jsonb cannot hold, described with its path. */
export const jsonbUnsafeString = (value: unknown, path = '$'): string | undefined => {
  if (typeof value === 'string') {
    const problem = unsafeIn(value);
    return problem === undefined ? undefined : `the string at ${path} holds ${problem}`;
  }
  if (Array.isArray(value)) {
    for (let index = 0; index < value.length; index++) {
      const found = jsonbUnsafeString(value[index], `${path}[${index}]`);
      if (found !== undefined) return found;
    }
    return undefined;
  }
  if (typeof value === 'object' && value !== null) {
    for (const [key, inner] of Object.entries(value)) {
      const problem = unsafeIn(key);
      if (problem !== undefined) return `the key ${JSON.stringify(key)} in ${path} holds ${problem}`;
      const found = jsonbUnsafeString(inner, member(path, key));
      if (found !== undefined) return found;
    }
  }
  return undefined;
};

/** What is wrong with one row's key or body for PostgreSQL, or `undefined` when it can be stored. */
const rowProblem = (collection: string, id: string, body?: string): string | undefined => {
  const inCollection = unsafeIn(collection);
  if (inCollection !== undefined) return `its collection name holds ${inCollection}`;
  const inId = unsafeIn(id);
  if (inId !== undefined) return `its id holds ${inId}`;
  // JSON.stringify writes U+0000 and unpaired surrogates only as \u escapes, so a body without one needs no closer
  // look; with one (other control characters are escaped so too), the parsed body is walked to name the string.
  return body === undefined || !body.includes('\\u') ? undefined : jsonbUnsafeString(JSON.parse(body));
};

/**
 * Throws `InvalidDocumentError` for the first change of a batch that PostgreSQL cannot store, naming its namespace,
 * collection, id and the offending string, before any SQL runs: the batch then writes nothing, as for a document that
 * is not JSON at all.
 */
export const assertJsonbSafe = (namespace: string, rows: BatchRows): void => {
  for (const row of rows.upserts) {
    const problem = rowProblem(row.collection, row.id, row.body);
    if (problem !== undefined) throw new InvalidDocumentError(namespace, row.collection, row.id, { cause: new TypeError(problem) }, JSONB);
  }
  for (const row of rows.deletes) {
    const problem = rowProblem(row.collection, row.id);
    if (problem !== undefined) throw new InvalidDocumentError(namespace, row.collection, row.id, { cause: new TypeError(problem) }, JSONB);
  }
};
