/**
 * The seam between the adapter and a gRPC client: the calls the adapter makes, typed structurally so that either
 * `EventStoreDBClient` from @eventstore/db-client 6.x or `KurrentDBClient` from @kurrent/kurrentdb-client 1.x can
 * be handed in. The two differ, for what the adapter uses, only in the name of the append precondition option:
 * `expectedRevision` (db-client) versus `streamState` (kurrentdb-client), with the same four values.
 */

/** An append precondition in both clients' vocabulary. */
export type ClientStreamState = 'any' | 'no_stream' | 'stream_exists' | bigint;

/** A global position as both clients report it. */
export interface ClientPosition {
  readonly commit: bigint;
  readonly prepare: bigint;
}

/** An event as both clients return it inside a resolved event. */
export interface ClientRecordedEvent {
  readonly streamId: string;
  readonly id: string;
  readonly revision: bigint;
  readonly type: string;
  readonly data: unknown;
  readonly metadata?: unknown;
  readonly isJson: boolean;
  readonly created: Date;
  readonly position?: ClientPosition;
}

/** A resolved event: the event, or a link to it. */
export interface ClientResolvedEvent {
  readonly event?: ClientRecordedEvent;
}

/** An event ready to append, as `jsonEvent` builds it. */
export interface ClientEventData {
  readonly id: string;
  readonly type: string;
  readonly contentType: string;
  readonly data: unknown;
  readonly metadata?: unknown;
}

/** A read as both clients return it: an object-mode readable of resolved events that can be cancelled. */
export interface ClientReadStream extends AsyncIterable<ClientResolvedEvent> {
  cancel?(): Promise<void>;
}

/** A subscription as both clients return it: a Node object-mode readable with extra events. */
export interface ClientSubscription {
  on(event: 'data', listener: (event: ClientResolvedEvent) => void): unknown;
  on(event: 'error', listener: (error: unknown) => void): unknown;
  on(event: 'caughtUp' | 'fellBehind' | 'end' | 'close' | 'confirmation', listener: () => void): unknown;
  pause(): unknown;
  resume(): unknown;
  unsubscribe(): Promise<void>;
  readonly readableLength: number;
}

/** A server-side filter as the clients' `eventTypeFilter`, `streamNameFilter` and `excludeSystemEvents` build it. */
export interface ClientFilter {
  readonly filterOn: string;
  readonly checkpointInterval: number;
  readonly checkpointReached?: (subscription: unknown, position: ClientPosition) => void | Promise<void>;
  readonly prefixes?: readonly string[];
  readonly regex?: string;
}

/** What the adapter calls on a client, with each method's options as loose records the real clients accept. */
export interface EventStoreDBClientLike {
  appendToStream(
    streamName: string,
    events: ClientEventData | ClientEventData[],
    options?: object,
  ): Promise<{ readonly nextExpectedRevision: bigint; readonly position?: ClientPosition }>;
  readStream(streamName: string, options?: object): ClientReadStream;
  readAll(options?: object): ClientReadStream;
  subscribeToAll(options?: object): ClientSubscription;
  dispose(): Promise<void>;
}

/** Which client a store talks to. No longer needed: both precondition keys are always sent (kept for compatibility). */
export type ClientFlavour = 'eventstore-db-client' | 'kurrentdb-client';

/**
 * The append option object for either client: the precondition under both names, `expectedRevision`
 * (@eventstore/db-client) and `streamState` (@kurrent/kurrentdb-client), with the same value. Each client
 * destructures the key it knows and passes the rest on as call options, where an unknown key is ignored
 * (@eventstore/db-client 6.2.1: `callArguments` reads only credentials, requiresLeader and deadline). Recognising
 * the client instead would silently turn every append into 'any' for a client it fails to recognise.
 */
export const appendPrecondition = (state: ClientStreamState): { readonly expectedRevision: ClientStreamState; readonly streamState: ClientStreamState } => ({
  expectedRevision: state,
  streamState: state,
});
