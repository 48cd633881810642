import * as E from 'fp-ts/lib/Either.js';
import type { ExpectedRevision } from '@clusterconf/domain';

/**
 * What an `If-Match` header asks (RFC 9110 §13.1.1): `*`, "the stream exists", or a list of entity tags, of which
 * only strong tags of the form `"<revision>"` can match a stream; a weak tag (`W/"3"`) or another opaque tag is
 * allowed by the grammar and matches nothing.
 */
export type IfMatch = { readonly kind: 'any' } | { readonly kind: 'revisions'; readonly revisions: readonly bigint[] };

/** The entity tag of a stream-backed resource at a revision: `"3"`. */
export const entityTag = (revision: bigint): string => `"${revision}"`;

const ENTITY_TAG = /^(W\/)?"([\x21\x23-\x7e\x80-\xff]*)"$/;
const REVISION = /^(0|[1-9]\d{0,18})$/;

/** Parses `If-Match`; a Left says what is malformed. Pure. */
export const parseIfMatch = (header: string): E.Either<string, IfMatch> => {
  const text = header.trim();
  if (text === '*') return E.right({ kind: 'any' });
  // RFC 9110 §5.6.1: a list may hold empty elements, which count for nothing.
  const tags = text.split(',').map((tag) => tag.trim()).filter((tag) => tag !== '');
  if (tags.length === 0) return E.left('it is empty; send the ETag a GET returned, e.g. If-Match: "3", or leave the header out');
  const revisions: bigint[] = [];
  for (const tag of tags) {
    const match = ENTITY_TAG.exec(tag);
    if (match === null) return E.left(`${JSON.stringify(tag)} is not an entity tag; send the ETag a GET returned, quotes included, e.g. If-Match: "3"`);
    if (match[1] === undefined && REVISION.test(match[2]!)) revisions.push(BigInt(match[2]!));
  }
  return E.right({ kind: 'revisions', revisions });
};

/**
 * Whether an append with `expected` (as the command handler sends it: the revision it read, or `no_stream`) is one
 * the precondition allows. Strong comparison: the stream must be at one of the named revisions; `*` wants it to exist.
 */
export const admits = (precondition: IfMatch, expected: ExpectedRevision): boolean =>
  typeof expected === 'bigint' && (precondition.kind === 'any' || precondition.revisions.includes(expected));

/** The precondition in words, for a 412's detail. */
export const describeIfMatch = (precondition: IfMatch): string =>
  precondition.kind === 'any'
    ? 'If-Match: * (the stream exists)'
    : precondition.revisions.length === 0
      ? 'If-Match names no revision of this service'
      : `If-Match names revision ${precondition.revisions.join(' or ')}`;
