import { ClusterconfError, formatPosition, type Position } from '@clusterconf/domain';

/** A projection definition that cannot be run: a bad name or version, or a handler for an unknown event type. */
export class InvalidProjectionError extends ClusterconfError {
  readonly code = 'INVALID_PROJECTION';
  constructor(readonly projection: string, readonly reason: string) {
    super(`Projection "${projection}" is invalid: ${reason}`);
  }
}

/** `patch` on a document that does not exist. */
export class DocumentNotFoundError extends ClusterconfError {
  readonly code = 'DOCUMENT_NOT_FOUND';
  constructor(readonly namespace: string, readonly collection: string, readonly id: string) {
    super(
      `Cannot patch document "${id}" in collection "${collection}" (namespace ${namespace}): it does not exist; ` +
        `upsert it first, or check the id`,
    );
  }
}

/** A poison event: it could not be decoded or its handler threw, so the projection stopped at it. */
export class ProjectionFailedError extends ClusterconfError {
  readonly code = 'PROJECTION_FAILED';
  constructor(
    readonly projection: string,
    readonly version: number,
    readonly position: Position,
    readonly eventType: string,
    readonly streamId: string,
    cause: unknown,
  ) {
    super(
      `Projection "${projection}" v${version} failed at position ${formatPosition(position)} on event "${eventType}" ` +
        `(stream "${streamId}"): ${cause instanceof Error ? cause.message : String(cause)}. Fix the handler or the event ` +
        `and restart, or run with deadLetters: 'record' to set such events aside`,
      { cause },
    );
  }
}

/** `waitFor` gave up: a projection had not committed the position in time, or had failed or stopped. */
export class WaitForPositionError extends ClusterconfError {
  readonly code = 'WAIT_FOR_POSITION_FAILED';
  constructor(readonly position: Position | undefined, readonly reason: string, options?: { cause?: unknown }) {
    super(`Waiting for ${position === undefined ? 'the projections to catch up' : `position ${formatPosition(position)}`} failed: ${reason}`, options);
  }
}

/** A runner method called in a state that does not allow it (for example `start` after `stop`). */
export class ProjectionRunnerStateError extends ClusterconfError {
  readonly code = 'PROJECTION_RUNNER_STATE';
  constructor(readonly operation: string, readonly reason: string) {
    super(`Cannot ${operation}: ${reason}`);
  }
}

/**
 * A runner was started with a version of a projection older than the one readers are switched to: serving it would
 * move readers back, or fight the runner that serves the newer one.
 */
export class ProjectionVersionError extends ClusterconfError {
  readonly code = 'PROJECTION_VERSION_SUPERSEDED';
  constructor(readonly projection: string, readonly version: number, readonly activeVersion: number) {
    super(
      `Projection "${projection}" v${version} is older than its active version v${activeVersion}: deploy v${activeVersion} ` +
        `or later, switch readers back explicitly with activate("${projection}", ${version}) on the read-model store, or ` +
        `start the runner with olderVersion: 'standby' to keep this version on standby`,
    );
  }
}
