import * as E from 'fp-ts/lib/Either.js';
import * as t from 'io-ts';
import type { DomainEvent, RecordedEvent } from './event.js';
import { EventDecodeError, EventEncodeError } from './errors.js';
import { compileGuard, type Guard } from './compile-guard.js';
import { personalFieldsOf, type PersonalField } from './personal-data/personal-fields.js';
import { NO_TAGS } from './event-contract.js';

/** Lifts a payload stored at `fromVersion` to `fromVersion + 1`. Pure; runs before decoding. */
export interface Upcaster {
  readonly fromVersion: number;
  readonly upcast: (data: unknown) => unknown;
}

/**
 * The tags an event of one type is written with, computed from its payload: what queries across streams select it by
 * (see `DcbEventStore`). Pure, and a function of the payload alone, so the same event always carries the same tags.
 */
export type EventTagger<Data> = (data: Data) => readonly string[];

/** One event type: its type name, its io-ts codec (the single source of its shape), its schema history and its tags. */
export interface EventDefinition<Type extends string = string, Data = unknown, Encoded = unknown> {
  readonly type: Type;
  readonly codec: t.Type<Data, Encoded, unknown>;
  /** The version new events are written at; defaults to 1. */
  readonly schemaVersion: number;
  /** One upcaster per older version, from 1 up to `schemaVersion - 1`. */
  readonly upcasters: readonly Upcaster[];
  /** The tags new events are written with; none when left out. */
  readonly tags?: EventTagger<Data>;
}

/** How an event type is written and read over time: its schema version, upcasters from older ones, and its tags. */
export interface EventHistory<Data> {
  readonly schemaVersion?: number;
  readonly upcasters?: readonly Upcaster[];
  readonly tags?: EventTagger<Data>;
}

/** Declares an event type. */
export const defineEvent = <Type extends string, Data, Encoded>(
  type: Type,
  codec: t.Type<Data, Encoded, unknown>,
  history: EventHistory<Data> = {},
): EventDefinition<Type, Data, Encoded> => {
  const schemaVersion = history.schemaVersion ?? 1;
  const upcasters = history.upcasters ?? [];
  for (let version = 1; version < schemaVersion; version++) {
    if (!upcasters.some((u) => u.fromVersion === version)) {
      throw new Error(`Event "${type}" is at schemaVersion ${schemaVersion} but has no upcaster from version ${version}; add one`);
    }
  }
  return history.tags === undefined ? { type, codec, schemaVersion, upcasters } : { type, codec, schemaVersion, upcasters, tags: history.tags };
};

/** Any event definition; codecs are invariant in their types, so lists of definitions are bounded by this. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type AnyEventDefinition = EventDefinition<string, any, any>;

/** The domain event union a list of definitions describes. */
export type EventOf<Defs extends readonly AnyEventDefinition[]> = {
  [K in keyof Defs]: Defs[K] extends EventDefinition<infer Type, infer Data> ? DomainEvent<Type, Data> : never;
}[number];

/** An event as `EventRegistry.encode` gives it, ready for `toNewEvents`. */
export interface EncodedEvent<Type extends string = string> {
  readonly type: Type;
  readonly data: unknown;
  readonly schemaVersion: number;
  readonly tags: readonly string[];
}

/** Where a payload came from, for error messages. */
export interface DecodeSource {
  readonly streamId: string;
  readonly streamRevision: bigint;
}

/** Encodes domain events for storage and decodes stored ones, running upcasters first. */
export interface EventRegistry<Event extends DomainEvent> {
  readonly types: readonly Event['type'][];
  /** The definitions it was built from, in their order: codecs and schema versions, for describing what it reads. */
  readonly definitions: readonly AnyEventDefinition[];
  has(type: string): type is Event['type'];
  /** The payload in JSON form, the schema version to store it under, and its tags (none: `NO_TAGS`). */
  encode(event: Event): EncodedEvent<Event['type']>;
  /** Upcasts and decodes a payload; the error names the stream, revision, type, path and bad value. */
  decodeData(type: string, schemaVersion: number, data: unknown, source: DecodeSource): E.Either<EventDecodeError, Event>;
  /**
   * True when `data` is a `type` payload at the current schema version that its codec accepts exactly as stored, so
   * `decodeData` would return it unchanged: a replay can use the stored event as the decoded one, allocating nothing.
   * False only means "not on that path": call `decodeData` to upcast, transform, or explain the failure.
   */
  acceptsAsStored(type: string, schemaVersion: number, data: unknown): boolean;
  /** Decodes a recorded event into one whose `data` is the domain payload. */
  decode(recorded: RecordedEvent): E.Either<EventDecodeError, RecordedEvent<Event['type'], Event['data']> & Event>;
  /** The fields of `type` its codec marks `personal`, which the personal-data layer seals; empty for most types. */
  personalFields(type: string): readonly PersonalField[];
}

const describeValue = (value: unknown): string => {
  if (value === undefined) return 'undefined (missing)';
  const text = JSON.stringify(value);
  return text.length > 60 ? `${text.slice(0, 60)}…` : text;
};

// Unions and intersections are the combinators that add an entry keyed by member index to the context.
const addsMemberIndex = (type: t.Decoder<unknown, unknown>): boolean => {
  const tag = (type as { _tag?: string })._tag;
  return tag === 'UnionType' || tag === 'IntersectionType';
};

/** The dotted path of an io-ts error, without the member indices of unions and intersections. */
export const errorPath = (context: t.Context): string =>
  context
    .filter((entry, index) => index > 0 && !addsMemberIndex(context[index - 1]!.type))
    .map((entry) => entry.key)
    .join('.');

/** Turns io-ts errors into "path: expected X, got Y" lines. */
export const describeDecodeErrors = (errors: t.Errors): string[] =>
  errors.map((error) => {
    const path = errorPath(error.context) || '(root)';
    const expected = error.context[error.context.length - 1]?.type.name ?? 'unknown';
    return `${path}: ${error.message ?? `expected ${expected}`}, got ${describeValue(error.value)}`;
  });

/** Builds a registry from event definitions; the order of definitions does not matter. */
export const createEventRegistry = <const Defs extends readonly AnyEventDefinition[]>(
  definitions: Defs,
): EventRegistry<EventOf<Defs>> => {
  type Event = EventOf<Defs>;
  const byType = new Map<string, AnyEventDefinition>();
  // io-ts marks codecs without transformations by using its own `identity` as `encode`. For those, the guard `is`
  // holds exactly when `decode` would succeed and return the input unchanged, and it skips the context arrays that
  // `decode` allocates per field; `decode` then runs only to explain a failure. The guard is compiled once from the
  // codec (see compileGuard), so the codec stays the single source of the shape.
  const guarded = new Map<string, { readonly type: string; readonly schemaVersion: number; readonly is: Guard }>();
  const personal = new Map<string, readonly PersonalField[]>();
  for (const definition of definitions) {
    if (byType.has(definition.type)) throw new Error(`Event type "${definition.type}" is defined twice`);
    byType.set(definition.type, definition);
    const fields = personalFieldsOf(definition.type, definition.codec);
    if (fields.length > 0) personal.set(definition.type, fields);
    if (definition.codec.encode === t.identity) {
      guarded.set(definition.type, { type: definition.type, schemaVersion: definition.schemaVersion, is: compileGuard(definition.codec) });
    }
  }

  const explain = (type: string, schemaVersion: number, data: unknown, source: DecodeSource): E.Either<EventDecodeError, Event> => {
    const definition = byType.get(type);
    const fail = (problems: string[]) => E.left(new EventDecodeError(source.streamId, source.streamRevision, type, problems));
    if (!definition) return fail([`no codec is registered for type "${type}"; register it or filter it out`]);
    if (schemaVersion > definition.schemaVersion) {
      return fail([`schemaVersion ${schemaVersion} is newer than this code knows (${definition.schemaVersion}); upgrade the reader`]);
    }
    let payload = data;
    for (let version = schemaVersion; version < definition.schemaVersion; version++) {
      const upcaster = definition.upcasters.find((u) => u.fromVersion === version);
      if (!upcaster) return fail([`no upcaster from schemaVersion ${version}`]);
      try {
        payload = upcaster.upcast(payload);
      } catch (error) {
        return fail([`the upcaster from schemaVersion ${version} threw: ${error instanceof Error ? error.message : String(error)}`]);
      }
    }
    if (guarded.get(type)?.is(payload) === true) return E.right({ type, data: payload } as Event);
    const decoded = definition.codec.decode(payload);
    return E.isRight(decoded) ? E.right({ type, data: decoded.right } as Event) : fail(describeDecodeErrors(decoded.left));
  };

  // The hot path of every replay: a current-version payload of a guarded codec needs one map lookup and one guard.
  const decodeData = (type: string, schemaVersion: number, data: unknown, source: DecodeSource): E.Either<EventDecodeError, Event> => {
    const guard = guarded.get(type);
    if (guard !== undefined && schemaVersion === guard.schemaVersion && guard.is(data)) {
      // The definition's own type string: interned, so a fold's `switch (event.type)` compares pointers, not text.
      return E.right({ type: guard.type, data } as Event);
    }
    return explain(type, schemaVersion, data, source);
  };

  // The replay path without any allocation: a runner that finds the stored payload current and accepted uses the
  // stored event as the decoded one (measured: about 2.6 % of the memory rebuild, bench/suites/projection-rebuild.ts).
  const acceptsAsStored = (type: string, schemaVersion: number, data: unknown): boolean => {
    const guard = guarded.get(type);
    return guard !== undefined && schemaVersion === guard.schemaVersion && guard.is(data);
  };

  return {
    types: [...byType.keys()] as Event['type'][],
    definitions: [...definitions],
    has: (type: string): type is Event['type'] => byType.has(type),
    encode: (event) => {
      const definition = byType.get(event.type);
      if (!definition) throw new Error(`Event type "${event.type}" is not registered; add its definition to the registry`);
      // Nothing reaches the store that its own codec would refuse to read back; the compiled guard, where there is
      // one, is the codec's `is` without its cost, as on the decode path.
      const guard = guarded.get(event.type);
      if (guard !== undefined ? !guard.is(event.data) : !definition.codec.is(event.data)) {
        const decoded = definition.codec.decode(event.data);
        throw new EventEncodeError(event.type, E.isLeft(decoded) ? describeDecodeErrors(decoded.left) : ['(root): not a value of the codec\'s type']);
      }
      const tags = definition.tags === undefined ? NO_TAGS : definition.tags(event.data);
      return { type: event.type, data: definition.codec.encode(event.data), schemaVersion: definition.schemaVersion, tags };
    },
    decodeData,
    acceptsAsStored,
    personalFields: (type) => personal.get(type) ?? [],
    decode: (recorded) =>
      E.map((event: Event) => ({ ...recorded, data: event.data }) as RecordedEvent<Event['type'], Event['data']> & Event)(
        decodeData(recorded.type, recorded.metadata.schemaVersion, recorded.data, recorded),
      ),
  };
};
