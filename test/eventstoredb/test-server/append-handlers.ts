import type * as grpc from '@grpc/grpc-js';
import type {
  AppendReq,
  AppendResp,
  BatchAppendReq,
  BatchAppendResp,
  DeleteReq,
  DeleteResp,
  TombstoneReq,
  TombstoneResp,
} from '@eventstore/db-client/generated/streams_pb.js';
import { emptyPb, sharedPb, streamsPb } from './grpc-definitions.js';
import type { AppendOutcome, InMemoryLog, ProposedRecord, WireExpected } from './in-memory-log.js';
import { exceptionError, failureStatus, maxAppendSizeError, streamIdentifier, streamName, uuidText, wireExpected } from './wire.js';

/** What the TEST SERVER needs to know to answer writes. */
export interface WriteContext {
  readonly log: InMemoryLog;
  readonly isDenied: (stream: string) => boolean;
  /** EventStoreDB's `--max-append-size`, in bytes, over the whole append. */
  readonly maxAppendSize: number;
  /** False: answer an idempotent append without a position, as servers do that cannot tell it (e.g. 20.10). */
  readonly idempotentPosition: boolean;
}

/**
 * The size EventStoreDB counts against `--max-append-size`: per event `Event.SizeOnDisk` (data and custom metadata
 * bytes, plus the type as UTF-16, two bytes a character), summed over the append.
 */
export const appendSize = (proposed: readonly ProposedRecord[]): number =>
  proposed.reduce((size, record) => size + record.data.length + record.customMetadata.length + 2 * record.type.length, 0);

const proposedRecord = (message: AppendReq.ProposedMessage | BatchAppendReq.ProposedMessage): ProposedRecord => ({
  id: uuidText(message.getId()),
  type: message.getMetadataMap().get('type') ?? '',
  contentType: message.getMetadataMap().get('content-type') ?? 'application/octet-stream',
  data: message.getData_asU8(),
  customMetadata: message.getCustomMetadata_asU8(),
});

/** Streams.Append: options first, then the proposed messages; one response when the client ends its stream. */
export const handleAppend = (context: WriteContext, call: grpc.ServerReadableStream<AppendReq, AppendResp>, callback: grpc.sendUnaryData<AppendResp>): void => {
  let stream: string | undefined;
  let expected: WireExpected = { kind: 'any' };
  const proposed: ProposedRecord[] = [];
  call.on('data', (request: AppendReq) => {
    if (request.hasOptions()) {
      const options = request.getOptions()!;
      stream = streamName(options.getStreamIdentifier());
      expected = wireExpected(options);
    } else if (request.hasProposedMessage()) {
      proposed.push(proposedRecord(request.getProposedMessage()!));
    }
  });
  call.on('end', () => {
    if (stream === undefined) return callback(Object.assign(new Error('AppendReq stream without options'), { code: 3 }));
    if (appendSize(proposed) > context.maxAppendSize) return callback(maxAppendSizeError(context.maxAppendSize));
    if (context.isDenied(stream)) return callback(exceptionError('access-denied', stream));
    const outcome = context.log.append(stream, expected, proposed);
    if (!outcome.ok && outcome.failure.kind === 'stream_deleted') return callback(exceptionError('stream-deleted', stream));
    callback(null, appendResponse(outcome, expected, context.idempotentPosition));
  });
};

/** Whether a successful outcome's position goes on the wire (EventStoreDB answers with `no_position` when it has none). */
const hasPosition = (outcome: AppendOutcome & { ok: true }, idempotentPosition: boolean): boolean =>
  outcome.position.commit >= 0n && (idempotentPosition || !outcome.idempotent);

const appendResponse = (outcome: AppendOutcome, expected: WireExpected, idempotentPosition: boolean): AppendResp => {
  const response = new streamsPb.AppendResp();
  if (outcome.ok) {
    const success = new streamsPb.AppendResp.Success();
    success.setCurrentRevision(outcome.revision.toString());
    if (hasPosition(outcome, idempotentPosition)) {
      const position = new streamsPb.AppendResp.Position();
      position.setCommitPosition(outcome.position.commit.toString());
      position.setPreparePosition(outcome.position.prepare.toString());
      success.setPosition(position);
    } else {
      success.setNoPosition(new sharedPb.Empty());
    }
    response.setSuccess(success);
    return response;
  }
  if (outcome.failure.kind !== 'wrong_expected_version') throw new Error('appendResponse handles only wrong expected versions');
  const wrong = new streamsPb.AppendResp.WrongExpectedVersion();
  const current = outcome.failure.current;
  if (current === undefined) wrong.setCurrentNoStream(new sharedPb.Empty());
  else wrong.setCurrentRevision(current.toString());
  switch (expected.kind) {
    case 'any':
      wrong.setExpectedAny(new sharedPb.Empty());
      break;
    case 'no_stream':
      wrong.setExpectedNoStream(new sharedPb.Empty());
      break;
    case 'stream_exists':
      wrong.setExpectedStreamExists(new sharedPb.Empty());
      break;
    case 'revision':
      wrong.setExpectedRevision(expected.revision.toString());
      break;
  }
  response.setWrongExpectedVersion(wrong);
  return response;
};

/**
 * Streams.BatchAppend: requests carry a correlation id; options come with the first, `is_final` closes a batch,
 * and each batch gets one response with the same correlation id. Failures travel as google.rpc.Status details.
 */
export const handleBatchAppend = (context: WriteContext, call: grpc.ServerDuplexStream<BatchAppendReq, BatchAppendResp>): void => {
  const pending = new Map<string, { stream: string; expected: WireExpected; options: BatchAppendReq.Options; proposed: ProposedRecord[] }>();
  call.on('data', (request: BatchAppendReq) => {
    const correlation = uuidText(request.getCorrelationId());
    if (request.hasOptions()) {
      const options = request.getOptions()!;
      pending.set(correlation, { stream: streamName(options.getStreamIdentifier()), expected: wireExpected(options), options, proposed: [] });
    }
    const batch = pending.get(correlation);
    if (!batch) return;
    batch.proposed.push(...request.getProposedMessagesList().map(proposedRecord));
    const tooLarge = appendSize(batch.proposed) > context.maxAppendSize;
    // EventStoreDB answers as soon as the running size is over the limit, and ignores the rest of that batch.
    if (!tooLarge && !request.getIsFinal()) return;
    pending.delete(correlation);

    const response = new streamsPb.BatchAppendResp();
    response.setCorrelationId(request.getCorrelationId());
    response.setStreamIdentifier(streamIdentifier(batch.stream));
    if (tooLarge) {
      response.setError(failureStatus({ kind: 'max_append_size_exceeded', maxAppendSize: context.maxAppendSize }, batch.stream));
    } else if (context.isDenied(batch.stream)) {
      response.setError(failureStatus({ kind: 'access_denied' }, batch.stream));
    } else {
      const outcome = context.log.append(batch.stream, batch.expected, batch.proposed);
      if (outcome.ok) {
        const success = new streamsPb.BatchAppendResp.Success();
        success.setCurrentRevision(outcome.revision.toString());
        if (hasPosition(outcome, context.idempotentPosition)) {
          const position = new sharedPb.AllStreamPosition();
          position.setCommitPosition(outcome.position.commit.toString());
          position.setPreparePosition(outcome.position.prepare.toString());
          success.setPosition(position);
        } else {
          success.setNoPosition(new emptyPb.Empty());
        }
        response.setSuccess(success);
      } else {
        response.setError(failureStatus(outcome.failure, batch.stream));
      }
    }
    echoExpected(response, batch.expected);
    call.write(response);
  });
  call.on('end', () => call.end());
};

const echoExpected = (response: BatchAppendResp, expected: WireExpected): void => {
  switch (expected.kind) {
    case 'any':
      response.setAny(new emptyPb.Empty());
      break;
    case 'no_stream':
      response.setNoStream(new emptyPb.Empty());
      break;
    case 'stream_exists':
      response.setStreamExists(new emptyPb.Empty());
      break;
    case 'revision':
      response.setStreamPosition(expected.revision.toString());
      break;
  }
};

/** Streams.Delete (soft delete) and Streams.Tombstone (hard delete). */
export const handleDelete =
  (context: WriteContext, hard: boolean) =>
  (call: grpc.ServerUnaryCall<DeleteReq | TombstoneReq, DeleteResp | TombstoneResp>, callback: grpc.sendUnaryData<DeleteResp | TombstoneResp>): void => {
    const options = call.request.getOptions()!;
    const stream = streamName(options.getStreamIdentifier());
    if (context.isDenied(stream)) return callback(exceptionError('access-denied', stream));
    const expected = wireExpected(options);
    const outcome = hard ? context.log.tombstone(stream, expected) : context.log.delete(stream, expected);
    if (!outcome.ok) {
      if (outcome.failure.kind === 'stream_deleted') return callback(exceptionError('stream-deleted', stream));
      return callback(wrongExpectedVersionError(stream, expected, outcome.failure.current));
    }
    const response = hard ? new streamsPb.TombstoneResp() : new streamsPb.DeleteResp();
    const position = hard ? new streamsPb.TombstoneResp.Position() : new streamsPb.DeleteResp.Position();
    position.setCommitPosition(outcome.position.commit.toString());
    position.setPreparePosition(outcome.position.prepare.toString());
    (response as DeleteResp).setPosition(position as DeleteResp.Position);
    callback(null, response);
  };

/** Deletes report a wrong expected version as an error with EventStoreDB's trailers, not as a response field. */
const wrongExpectedVersionError = (stream: string, expected: WireExpected, current: bigint | undefined): grpc.ServiceError => {
  const error = exceptionError('stream-deleted', stream);
  error.metadata.set('exception', 'wrong-expected-version');
  error.metadata.set('expected-version', expected.kind === 'revision' ? expected.revision.toString() : '-1');
  if (current !== undefined) error.metadata.set('actual-version', current.toString());
  return Object.assign(error, { details: `Delete of '${stream}' failed: wrong expected version` });
};
