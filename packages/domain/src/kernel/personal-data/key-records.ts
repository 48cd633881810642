import * as E from 'fp-ts/lib/Either.js';
import * as t from 'io-ts';
import { describeDecodeErrors } from '../event-registry.js';
import { isRfc3339Instant } from '../rfc3339.js';
import { SUBJECT_KEY_BYTES } from './cipher.js';
import type { KeyImportSummary, KeyRecord, SubjectKeyState } from './key-store.js';
import { InvalidKeyRecordError, KeyImportConflictError } from './personal-data-errors.js';
import { SubjectIdCodec, type SubjectId } from './subject-id.js';

const Instant = new t.RefinementType<t.StringC, string, string, unknown>(
  'Rfc3339Instant', (u): u is string => typeof u === 'string' && isRfc3339Instant(u), (u, c) => (typeof u === 'string' && isRfc3339Instant(u) ? t.success(u) : t.failure(u, c)),
  t.identity, t.string, isRfc3339Instant,
);

const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;
const KeyText = new t.RefinementType<t.StringC, string, string, unknown>(
  'Base64Key',
  (u): u is string => typeof u === 'string' && BASE64.test(u) && Buffer.from(u, 'base64').length === SUBJECT_KEY_BYTES,
  (u, c) => (typeof u === 'string' && BASE64.test(u) && Buffer.from(u, 'base64').length === SUBJECT_KEY_BYTES
    ? t.success(u) : t.failure(u, c, `expected ${SUBJECT_KEY_BYTES} bytes in base64`)),
  t.identity, t.string, (s: string) => BASE64.test(s),
);

/** The codec of a key export's records (one JSON object per line). */
export const KeyRecordCodec = t.union([
  t.strict({ subject: SubjectIdCodec, key: KeyText, createdAt: Instant }),
  t.strict({ subject: SubjectIdCodec, forgottenAt: Instant }),
], 'KeyRecord');

/** A parsed record, or `InvalidKeyRecordError` naming `where` (a file and line) and every wrong member. */
export const parseKeyRecord = (value: unknown, where: string): KeyRecord => {
  const decoded = KeyRecordCodec.decode(value);
  if (E.isLeft(decoded)) throw new InvalidKeyRecordError(where, `${describeDecodeErrors(decoded.left).join('; ')}; expected {subject, key, createdAt} or {subject, forgottenAt}`);
  return decoded.right;
};

/** The export record of a stored entry. */
export const toKeyRecord = (subject: SubjectId, state: SubjectKeyState): KeyRecord =>
  state.state === 'active'
    ? { subject, key: Buffer.from(state.key).toString('base64'), createdAt: state.createdAt }
    : { subject, forgottenAt: state.forgottenAt };

/** The stored entry of a record. */
export const fromKeyRecord = (record: KeyRecord): SubjectKeyState =>
  'key' in record
    ? { state: 'active', key: Buffer.from(record.key, 'base64'), createdAt: record.createdAt }
    : { state: 'forgotten', forgottenAt: record.forgottenAt };

/** What a store writes for an import: new entries, and subjects whose key the import forgets. */
export interface KeyImportPlan {
  readonly inserts: readonly { readonly subject: SubjectId; readonly state: SubjectKeyState }[];
  readonly forgets: readonly { readonly subject: SubjectId; readonly forgottenAt: string }[];
  readonly summary: KeyImportSummary;
}

const sameKey = (a: Uint8Array, b: Uint8Array): boolean => Buffer.compare(Buffer.from(a), Buffer.from(b)) === 0;

/**
 * Decides an import against what the store holds for the same subjects. Forgetting wins both ways: a forget in the
 * import forgets a key stored here, and a key in the import of a subject forgotten here is not brought back. A key in
 * the import that differs from the stored key of the same subject is a `KeyImportConflictError`, before any write.
 * A subject listed twice counts once, its last record deciding.
 */
export const planKeyImport = (existing: ReadonlyMap<SubjectId, SubjectKeyState>, records: readonly KeyRecord[]): KeyImportPlan => {
  const last = new Map<SubjectId, KeyRecord>();
  for (const record of records) last.set(record.subject, record);
  const inserts: { subject: SubjectId; state: SubjectKeyState }[] = [];
  const forgets: { subject: SubjectId; forgottenAt: string }[] = [];
  const conflicts: string[] = [];
  let added = 0;
  let present = 0;
  let forgotten = 0;
  let keptForgotten = 0;
  for (const [subject, record] of last) {
    const incoming = fromKeyRecord(record);
    const stored = existing.get(subject);
    if (stored === undefined) {
      inserts.push({ subject, state: incoming });
      added++;
    } else if (stored.state === 'forgotten') {
      if (incoming.state === 'forgotten') present++;
      else keptForgotten++;
    } else if (incoming.state === 'forgotten') {
      forgets.push({ subject, forgottenAt: incoming.forgottenAt });
      forgotten++;
    } else if (sameKey(stored.key, incoming.key)) {
      present++;
    } else {
      conflicts.push(subject);
    }
  }
  if (conflicts.length > 0) throw new KeyImportConflictError(conflicts);
  return { inserts, forgets, summary: { added, present, forgotten, keptForgotten } };
};
