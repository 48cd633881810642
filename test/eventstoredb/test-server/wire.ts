import * as grpc from '@grpc/grpc-js';
import type { StreamIdentifier, UUID, WrongExpectedVersion } from '@eventstore/db-client/generated/shared_pb.js';
import type { Status } from '@eventstore/db-client/generated/status_pb.js';
import type { ReadResp } from '@eventstore/db-client/generated/streams_pb.js';
import { anyPb, emptyPb, sharedPb, statusPb, streamsPb } from './grpc-definitions.js';
import type { LogFailure, LogPosition, StoredRecord, WireExpected } from './in-memory-log.js';

/** Conversions between the TEST SERVER's log model and EventStoreDB's gRPC messages. */

/** The stream name inside a StreamIdentifier (bytes on the wire). */
export const streamName = (identifier: StreamIdentifier | undefined): string =>
  Buffer.from(identifier?.getStreamName_asU8() ?? new Uint8Array()).toString('utf8');

/** Builds a StreamIdentifier. */
export const streamIdentifier = (name: string): StreamIdentifier => {
  const identifier = new sharedPb.StreamIdentifier();
  identifier.setStreamName(Buffer.from(name, 'utf8'));
  return identifier;
};

/** Reads a UUID in either of its wire forms. */
export const uuidText = (uuid: UUID | undefined): string => {
  if (!uuid) return crypto.randomUUID();
  if (uuid.hasString()) return uuid.getString();
  const structured = uuid.getStructured()!;
  const hex = (value: string) => BigInt.asUintN(64, BigInt(value)).toString(16).padStart(16, '0');
  const text = hex(structured.getMostSignificantBits()) + hex(structured.getLeastSignificantBits());
  return `${text.slice(0, 8)}-${text.slice(8, 12)}-${text.slice(12, 16)}-${text.slice(16, 20)}-${text.slice(20)}`;
};

/** One record as a ReadResp carrying an event. */
export const readEventResponse = (record: StoredRecord): ReadResp => {
  const recorded = new streamsPb.ReadResp.ReadEvent.RecordedEvent();
  const id = new sharedPb.UUID();
  id.setString(record.id);
  recorded.setId(id);
  recorded.setStreamIdentifier(streamIdentifier(record.streamId));
  recorded.setStreamRevision(record.revision.toString());
  recorded.setPreparePosition(record.position.prepare.toString());
  recorded.setCommitPosition(record.position.commit.toString());
  recorded.getMetadataMap().set('type', record.type);
  recorded.getMetadataMap().set('content-type', record.contentType);
  recorded.getMetadataMap().set('created', record.created.toString());
  recorded.setCustomMetadata(record.customMetadata);
  recorded.setData(record.data);
  const event = new streamsPb.ReadResp.ReadEvent();
  event.setEvent(recorded);
  event.setCommitPosition(record.position.commit.toString());
  const response = new streamsPb.ReadResp();
  response.setEvent(event);
  return response;
};

/** A ReadResp carrying a filtered subscription's checkpoint. */
export const checkpointResponse = (position: LogPosition): ReadResp => {
  const checkpoint = new streamsPb.ReadResp.Checkpoint();
  checkpoint.setCommitPosition(position.commit.toString());
  checkpoint.setPreparePosition(position.prepare.toString());
  const response = new streamsPb.ReadResp();
  response.setCheckpoint(checkpoint);
  return response;
};

/** The `expected` of an append, delete or tombstone request, from whichever oneof case it set. */
export const wireExpected = (options: { hasRevision?(): boolean; getRevision?(): string; hasStreamPosition?(): boolean; getStreamPosition?(): string; hasNoStream(): boolean; hasStreamExists(): boolean }): WireExpected => {
  if (options.hasRevision?.()) return { kind: 'revision', revision: BigInt(options.getRevision!()) };
  if (options.hasStreamPosition?.()) return { kind: 'revision', revision: BigInt(options.getStreamPosition!()) };
  if (options.hasNoStream()) return { kind: 'no_stream' };
  if (options.hasStreamExists()) return { kind: 'stream_exists' };
  return { kind: 'any' };
};

/**
 * A gRPC error the way EventStoreDB reports stream-deleted and access-denied: a status code plus the
 * `exception` and `stream-name` trailers that the client turns into its typed errors.
 */
export const exceptionError = (exception: 'stream-deleted' | 'access-denied', stream: string): grpc.ServiceError => {
  const metadata = new grpc.Metadata();
  metadata.set('exception', exception);
  metadata.set('stream-name', stream);
  const code = exception === 'stream-deleted' ? grpc.status.FAILED_PRECONDITION : grpc.status.PERMISSION_DENIED;
  const details = exception === 'stream-deleted' ? `Event stream '${stream}' is deleted.` : `Access denied to stream '${stream}'.`;
  return Object.assign(new Error(details), { code, details, metadata });
};

/**
 * The gRPC error with which EventStoreDB refuses an Append over `--max-append-size` (RpcExceptions.MaxAppendSizeExceeded):
 * InvalidArgument, with the `exception` and `maximum-append-size` trailers the client reads.
 */
export const maxAppendSizeError = (maxAppendSize: number): grpc.ServiceError => {
  const metadata = new grpc.Metadata();
  metadata.set('exception', 'maximum-append-size-exceeded');
  metadata.set('maximum-append-size', String(maxAppendSize));
  const details = `Maximum Append Size of ${maxAppendSize} Exceeded.`;
  return Object.assign(new Error(details), { code: grpc.status.INVALID_ARGUMENT, details, metadata });
};

/** The failure of an append as a `google.rpc.Status`, which BatchAppend carries instead of a gRPC error. */
export const failureStatus = (
  failure: LogFailure | { readonly kind: 'access_denied' } | { readonly kind: 'max_append_size_exceeded'; readonly maxAppendSize: number },
  stream: string,
): Status => {
  const status = new statusPb.Status();
  const details = new anyPb.Any();
  switch (failure.kind) {
    case 'wrong_expected_version': {
      const wrong = new sharedPb.WrongExpectedVersion();
      if (failure.current === undefined) wrong.setCurrentNoStream(new emptyPb.Empty());
      else wrong.setCurrentStreamRevision(failure.current.toString());
      setSharedExpected(wrong, failure.expected);
      details.pack(wrong.serializeBinary(), 'event_store.client.WrongExpectedVersion');
      status.setCode(9);
      status.setMessage(`Append failed due to WrongExpectedVersion. Stream: ${stream}`);
      break;
    }
    case 'stream_deleted': {
      const deleted = new sharedPb.StreamDeleted();
      deleted.setStreamIdentifier(streamIdentifier(stream));
      details.pack(deleted.serializeBinary(), 'event_store.client.StreamDeleted');
      status.setCode(9);
      status.setMessage(`Event stream '${stream}' is deleted.`);
      break;
    }
    case 'max_append_size_exceeded': {
      const exceeded = new sharedPb.MaximumAppendSizeExceeded();
      exceeded.setMaxappendsize(failure.maxAppendSize);
      details.pack(exceeded.serializeBinary(), 'event_store.client.MaximumAppendSizeExceeded');
      status.setCode(3); // INVALID_ARGUMENT
      status.setMessage(`Maximum Append Size of ${failure.maxAppendSize} Exceeded.`);
      break;
    }
    case 'access_denied': {
      details.pack(new sharedPb.AccessDenied().serializeBinary(), 'event_store.client.AccessDenied');
      status.setCode(7);
      status.setMessage(`Access denied to stream '${stream}'.`);
      break;
    }
  }
  status.setDetails(details);
  return status;
};

const setSharedExpected = (wrong: WrongExpectedVersion, expected: WireExpected) => {
  switch (expected.kind) {
    case 'any':
      wrong.setExpectedAny(new emptyPb.Empty());
      break;
    case 'no_stream':
      wrong.setExpectedNoStream(new emptyPb.Empty());
      break;
    case 'stream_exists':
      wrong.setExpectedStreamExists(new emptyPb.Empty());
      break;
    case 'revision':
      wrong.setExpectedStreamPosition(expected.revision.toString());
      break;
  }
};
