import type { NewEvent, RecordedEvent } from '../event.js';
import { formatPosition } from '../position.js';
import { newSubjectKey, type SubjectKey } from './cipher.js';
import type { KeyStore, SubjectKeyState } from './key-store.js';
import type { PersonalField } from './personal-fields.js';
import { ForgottenSubjectError, SealedDataError } from './personal-data-errors.js';
import { describeLocation, openValues, sealedValues, sealValues, unsealedValues, type Unsealed } from './sealed-fields.js';
import type { SubjectId } from './subject-id.js';

/** Which fields of which event types are personal: what an `EventRegistry` says of its codecs. */
export interface PersonalDataSchema {
  readonly types: readonly string[];
  personalFields(type: string): readonly PersonalField[];
}

/** Options of `createShredder`. */
export interface ShredderOptions {
  readonly keyStore: KeyStore;
  /** The registry (or registries' union) whose `personal` fields are sealed. */
  readonly registry: PersonalDataSchema;
  /** When new keys are recorded as created; default the system clock. */
  readonly clock?: () => Date;
}

/** The keys of one batch's subjects, as loaded in one round trip. */
export type KeyLookup = (subject: SubjectId) => SubjectKeyState | undefined;

/**
 * The async stage between an event store and the registry that seals personal fields on the way in and opens them on
 * the way out, fetching each batch's keys in one round trip. `withPersonalData` (in `@clusterconf/adapters`) puts it
 * in front of a store; use it directly only to build another such decorator.
 */
export interface Shredder {
  /** Whether events of `type` have personal fields: when false, nothing is done to them, on any path. */
  holdsPersonalData(type: string): boolean;
  /**
   * The events with every personal value sealed under its subject's key, creating keys for subjects that have none.
   * Refuses with `ForgottenSubjectError` a batch with personal data of a forgotten subject, before anything is written.
   */
  protect(streamId: string, events: readonly NewEvent[]): Promise<readonly NewEvent[]>;
  /** The subjects whose keys opening these events needs. */
  subjectsOf(events: Iterable<RecordedEvent>): SubjectId[];
  /** Loads the keys of `subjects` in one round trip (none when the list is empty). */
  loadKeys(subjects: readonly SubjectId[]): Promise<KeyLookup>;
  /**
   * The event with its sealed values opened with `keys` (those of forgotten subjects as `Forgotten`), or the
   * `SealedDataError` of the first value that does not authenticate. Synchronous: the keys are at hand.
   */
  open(event: RecordedEvent, keys: KeyLookup): RecordedEvent | SealedDataError;
  /** `open` for a batch, loading its keys first. */
  reveal(events: readonly RecordedEvent[]): Promise<(RecordedEvent | SealedDataError)[]>;
}

const NO_KEYS: KeyLookup = () => undefined;

/** Builds the sealing stage over a key store; see `Shredder`. */
export const createShredder = (options: ShredderOptions): Shredder => {
  const { keyStore, registry } = options;
  const clock = options.clock ?? (() => new Date());
  const fields = new Map<string, readonly PersonalField[]>();
  for (const type of registry.types) {
    const personal = registry.personalFields(type);
    if (personal.length > 0) fields.set(type, personal);
  }
  const holdsPersonalData = (type: string): boolean => fields.has(type);

  const protect = async (streamId: string, events: readonly NewEvent[]): Promise<readonly NewEvent[]> => {
    // A malformed event (no object, no type) is left for the store to refuse with its own message.
    const typeOf = (event: NewEvent): string | undefined => (event as Partial<NewEvent> | null | undefined)?.type;
    if (!events.some((event) => fields.has(typeOf(event)!))) return events;
    const unsealed = events.map((event): readonly Unsealed[] => {
      const personal = fields.get(typeOf(event)!);
      return personal === undefined ? [] : unsealedValues(streamId, event.type, event.data, personal);
    });
    const candidates = new Map<SubjectId, SubjectKey>();
    for (const values of unsealed) for (const { subject } of values) if (!candidates.has(subject)) candidates.set(subject, newSubjectKey());
    if (candidates.size === 0) return events;
    const stored = await keyStore.createKeys(candidates, clock().toISOString());
    const keyOf = (subject: SubjectId): SubjectKey => {
      const entry = stored.get(subject);
      if (entry?.state !== 'active') throw new Error(`the key store returned no key for subject "${subject}" from createKeys; it breaks the KeyStore contract`);
      return entry.key;
    };
    return events.map((event, index) => {
      const values = unsealed[index]!;
      if (values.length === 0) return event;
      for (const { subject } of values) {
        const entry = stored.get(subject);
        if (entry?.state === 'forgotten') throw new ForgottenSubjectError(subject, entry.forgottenAt, streamId, event.type);
      }
      return { ...event, data: sealValues({ streamId, eventType: event.type, eventId: String(event.metadata?.eventId) }, event.data, values, keyOf) };
    });
  };

  const subjectsOf = (events: Iterable<RecordedEvent>): SubjectId[] => {
    const subjects = new Set<SubjectId>();
    for (const event of events) {
      if (!fields.has(event.type)) continue;
      for (const { sealed } of sealedValues(event.data)) subjects.add(sealed.subject);
    }
    return [...subjects];
  };

  const loadKeys = async (subjects: readonly SubjectId[]): Promise<KeyLookup> => {
    if (subjects.length === 0) return NO_KEYS;
    const loaded = await keyStore.loadKeys(subjects);
    return (subject) => loaded.get(subject);
  };

  const open = (event: RecordedEvent, keys: KeyLookup): RecordedEvent | SealedDataError => {
    if (!fields.has(event.type)) return event;
    const found = sealedValues(event.data);
    if (found.length === 0) return event;
    const opened = openValues({ streamId: event.streamId, eventType: event.type, eventId: event.metadata.eventId }, event.data, found, keys);
    if ('failure' in opened) {
      const { location, subject, cause } = opened.failure;
      return new SealedDataError(event.streamId, event.streamRevision, formatPosition(event.position), event.type, describeLocation(location), subject, { cause });
    }
    return { ...event, data: opened.data };
  };

  const reveal = async (events: readonly RecordedEvent[]): Promise<(RecordedEvent | SealedDataError)[]> => {
    const keys = await loadKeys(subjectsOf(events));
    return events.map((event) => open(event, keys));
  };

  return { holdsPersonalData, protect, subjectsOf, loadKeys, open, reveal };
};
