import { ClusterconfError } from '@clusterconf/domain';

/**
 * EventStoreDB took an append as a retry of one already stored but gave no position for it, and the adapter could
 * not read the position back either. The events are stored; only where they are in `$all` is unknown.
 */
export class AppendPositionUnknownError extends ClusterconfError {
  readonly code = 'APPEND_POSITION_UNKNOWN';
  constructor(readonly streamId: string, readonly revision: bigint, readonly reason: string, options?: { cause?: unknown }) {
    super(
      `The append to stream "${streamId}" is stored (EventStoreDB recognised it as a retry of an append already ` +
        `written, up to revision ${revision}), but the server gave no position for it and reading the event at that ` +
        `revision back failed: ${reason}. Do not append it again; read the stream to find its position`,
      options,
    );
  }
}
