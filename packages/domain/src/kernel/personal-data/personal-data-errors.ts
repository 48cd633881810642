import { ClusterconfError, CorruptEventError } from '../errors.js';

/** A subject id that is empty, too long, or holds white space or control characters. */
export class InvalidSubjectIdError extends ClusterconfError {
  readonly code = 'INVALID_SUBJECT_ID';
  constructor(readonly subject: string, readonly reason: string) {
    super(`Invalid subject id ${JSON.stringify(subject.length > 80 ? `${subject.slice(0, 80)}…` : subject)}: ${reason}`);
  }
}

/**
 * New personal data of a subject that was forgotten: refused, with nothing written, so a forget cannot be undone by a
 * later event quietly getting a new key. Give the person a new subject (a new attendee id, say) if they come back.
 */
export class ForgottenSubjectError extends ClusterconfError {
  readonly code = 'SUBJECT_FORGOTTEN';
  constructor(readonly subject: string, readonly forgottenAt: string, readonly streamId: string, readonly eventType: string) {
    super(
      `Event "${eventType}" for stream "${streamId}" was refused before writing: it carries personal data of subject "${subject}", ` +
        `which was forgotten at ${forgottenAt}. A forgotten subject gets no new personal data; register the person under a new id`,
    );
  }
}

/** An event with personal data whose subject cannot be told from its payload: the `subject` function of `personal` failed. */
export class PersonalSubjectError extends ClusterconfError {
  readonly code = 'PERSONAL_SUBJECT_INVALID';
  constructor(readonly streamId: string, readonly eventType: string, readonly path: string, readonly reason: string, options?: { cause?: unknown }) {
    super(`Event "${eventType}" for stream "${streamId}" was refused before writing: the subject of its personal field ${path} ${reason}; ` +
      'fix the `subject` function given to personal() or the payload it reads', options);
  }
}

/**
 * A stored personal field that does not authenticate under its subject's key: the ciphertext was altered, or moved
 * from another stream, event type, event or field (the associated data no longer matches). A `CorruptEventError`, so readers
 * and subscriptions report it as the unreadable event it is.
 */
export class SealedDataError extends CorruptEventError {
  constructor(
    streamId: string,
    streamRevision: bigint,
    position: string,
    readonly eventType: string,
    readonly path: string,
    readonly subject: string,
    options?: { cause?: unknown },
  ) {
    super(
      streamId,
      streamRevision,
      position,
      `event "${eventType}" holds personal data at data.${path} (subject "${subject}") that does not decrypt: it was altered, or ` +
        'moved here from another stream, event type, event or field. Restore the event from an export or a backup',
      options,
    );
  }
}

/** Keys that cannot be imported as they are: a subject whose key in the file differs from the one stored. */
export class KeyImportConflictError extends ClusterconfError {
  readonly code = 'KEY_IMPORT_CONFLICT';
  constructor(readonly subjects: readonly string[]) {
    super(
      `${subjects.length} subject${subjects.length === 1 ? ' has' : 's have'} another key in the key store than in the import ` +
        `(${subjects.slice(0, 5).map((s) => JSON.stringify(s)).join(', ')}${subjects.length > 5 ? ', …' : ''}); nothing was imported. ` +
        'Two keys for one subject mean two histories that cannot both be read: import into the key store of the history the keys came with',
    );
  }
}

/** A line of a key export that is not a key record. */
export class InvalidKeyRecordError extends ClusterconfError {
  readonly code = 'INVALID_KEY_RECORD';
  constructor(readonly where: string, readonly reason: string) {
    super(`${where} is not a key record: ${reason}`);
  }
}
