import { isAfter, type Position, type SubscriptionMessage } from '@clusterconf/domain';

/**
 * Whether `tail --until-head` is done after `message`, given the head when it started: once a message has reached
 * that position (an event, an unreadable one, or a checkpoint past events the filter left out), or the subscription
 * has caught up, which it only does after delivering everything stored when the tail began.
 */
export const reachedHead = (message: SubscriptionMessage, head: Position | undefined): boolean => {
  switch (message.kind) {
    case 'caughtUp':
      return true;
    case 'checkpoint':
      return !isAfter(head ?? message.position, message.position);
    case 'event':
    case 'unreadable':
      return !isAfter(head ?? message.event.position, message.event.position);
  }
};

/** Whether there is nothing to tail up to: an empty log, or a start at or past the head. */
export const nothingBeforeHead = (after: Position | undefined, head: Position | undefined): boolean =>
  head === undefined || (after !== undefined && !isAfter(head, after));
