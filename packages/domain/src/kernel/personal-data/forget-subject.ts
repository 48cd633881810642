import { commandEventId } from '../command-event-id.js';
import type { EventStore } from '../event-store.js';
import type { Position } from '../position.js';
import { personalDataStream, type PersonalDataForgotten } from './forgotten-event.js';
import type { KeyStore } from './key-store.js';
import { subjectId, type SubjectId } from './subject-id.js';

/** What `forgetSubject` needs. */
export interface ForgetSubjectOptions {
  readonly keyStore: KeyStore;
  /** Where `PersonalDataForgotten` is appended, for the read models that copied the subject's data. */
  readonly eventStore: EventStore;
  /** The time of the forget; default the system clock. */
  readonly clock?: () => Date;
}

/** What `forgetSubject` did. */
export interface ForgetSubjectResult {
  readonly subject: SubjectId;
  /** When the subject was first forgotten (an earlier forget keeps its time). */
  readonly forgottenAt: string;
  /** Whether a key was deleted by this call. */
  readonly keyDeleted: boolean;
  readonly alreadyForgotten: boolean;
  /** The position of the subject's `PersonalDataForgotten`: `waitFor` it to see the read models without the data. */
  readonly position: Position;
}

/**
 * Forgets a subject: deletes its key (its sealed values read as `Forgotten` from then on, on every path, as nothing
 * can decrypt them), records the forget (so no new personal data of it is taken), then appends
 * `PersonalDataForgotten` to `personal-data-<subject>` so projections remove what they copied. Idempotent: repeating
 * it (after a failure between the two steps, say) deletes nothing more and appends the event once, as its id is
 * derived from the subject.
 */
export const forgetSubject = async (options: ForgetSubjectOptions, subject: string): Promise<ForgetSubjectResult> => {
  const id = subjectId(subject);
  const clock = options.clock ?? (() => new Date());
  const outcome = await options.keyStore.forget(id, clock().toISOString());
  const streamId = personalDataStream(id);
  const eventId = commandEventId(streamId, 'forget', 0);
  const event: PersonalDataForgotten = { type: 'PersonalDataForgotten', data: { subject: id, forgottenAt: outcome.forgottenAt } };
  const appended = await options.eventStore.appendToStream(streamId, [{
    ...event,
    metadata: { eventId, occurredAt: outcome.forgottenAt, correlationId: eventId, causationId: eventId, schemaVersion: 1 },
  }]);
  return { subject: id, ...outcome, position: appended.position };
};
