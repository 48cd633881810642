import type { Position } from './position.js';

/** What every stored event carries besides its payload. */
export interface EventMetadata {
  /**
   * A UUID, the key of idempotent appends: derived from the command for handled commands (`commandEventId`), so a
   * retry carries the same id; `newEventId()` (v7) for events that answer no command. Order comes from positions.
   */
  readonly eventId: string;
  /** ISO 8601 instant at which the fact happened, supplied by the command, never read from a clock in a decider. */
  readonly occurredAt: string;
  /** Ties together every event caused by one user request. */
  readonly correlationId: string;
  /** The id of the command or event that caused this one. */
  readonly causationId: string;
  /** The version of the payload's shape; upcasters lift older versions before decoding. */
  readonly schemaVersion: number;
}

/** A domain event as deciders produce and reducers consume it: a type tag and its payload. */
export interface DomainEvent<Type extends string = string, Data = unknown> {
  readonly type: Type;
  readonly data: Data;
}

/** An event ready to append: payload plus metadata, data in its JSON (encoded) form. */
export interface NewEvent<Type extends string = string, Data = unknown> extends DomainEvent<Type, Data> {
  readonly metadata: EventMetadata;
  /**
   * What the event is about, for queries across streams (`DcbEventStore.read`, append conditions): strings such as
   * `ballot:ecc2020.ecmy-vote`, checked like stream ids (see `tagProblem`), at most `MAX_TAGS_PER_EVENT`, no tag twice.
   * Stored in the order given and read back exactly so. Leave it out (or empty) for none.
   */
  readonly tags?: readonly string[];
}

/** An event as a store returns it: where it sits in its stream and in the global log. */
export interface RecordedEvent<Type extends string = string, Data = unknown> extends NewEvent<Type, Data> {
  readonly streamId: string;
  /** 0-based revision inside its stream. */
  readonly streamRevision: bigint;
  readonly position: Position;
  /** The event's tags as appended, in their order; empty when it has none. */
  readonly tags: readonly string[];
}
