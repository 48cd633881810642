import { isAfter, type EventStore, type Position, type Subscription } from '@clusterconf/domain';
import type { ProjectionRunner } from '@clusterconf/projections';
import type { LiveSnapshot } from './live-snapshot.js';

/** Someone watching a conference: a live page's event stream. */
export interface Watcher {
  /** A snapshot that differs from the last one this watcher got. */
  readonly snapshot: (snapshot: LiveSnapshot) => void;
  /** The feed stops: shutdown, or a fault the watcher should reconnect after. */
  readonly end: () => void;
}

/** Options of `createConferenceFeeds`. */
export interface ConferenceFeedsOptions {
  readonly eventStore: EventStore;
  readonly runner: Pick<ProjectionRunner, 'waitFor'>;
  /** Reads a conference's snapshot from the read models, which have reached `position`. */
  readonly read: (conferenceId: string, position: Position | undefined) => Promise<LiveSnapshot>;
  /** How long one wait for the read models may take before it is tried again. */
  readonly waitTimeoutMs: number;
  readonly onError: (error: unknown, context: string) => void;
}

/** The live feeds of conferences: snapshots of their read models, sent whenever those change. */
export interface ConferenceFeeds {
  /** Sends the watcher the conference's snapshot now and after every change; the function returned stops it. */
  watch(conferenceId: string, watcher: Watcher): () => void;
  /** How many watchers there are, over all conferences. */
  watching(): number;
  /** Ends every watcher and the subscription; later watchers are ended at once. */
  close(): Promise<void>;
}

/** The events that change what the live page shows; each names its conference in `data.conferenceId`. */
const SHOWN_EVENT_TYPES = ['AttendeeRegistered', 'SessionOpened', 'BallotClosed', 'VoteCast'];

const conferenceOf = (data: unknown): string | undefined => {
  const id = typeof data === 'object' && data !== null ? (data as { conferenceId?: unknown }).conferenceId : undefined;
  return typeof id === 'string' ? id : undefined;
};

/** What the page shows, without the position: an event that changes nothing visible sends nothing. */
const shown = (snapshot: LiveSnapshot): string => JSON.stringify([snapshot.attendance, snapshot.ballots]);

interface Channel {
  readonly conferenceId: string;
  /** Each watcher with what it was last sent. */
  readonly watchers: Map<Watcher, string | undefined>;
  /** The latest log position of an event of this conference: the read models must reach it before a read. */
  target: Position | undefined;
  dirty: boolean;
  pumping: boolean;
}

/**
 * One subscription to the log, opened with the first watcher, tells which conference changed and at which position;
 * the runner's `waitFor` says when the read models have that position; then the snapshot is read and sent to the
 * conference's watchers whose last snapshot differs. The runner has no per-batch hook (`onStateChange` fires on
 * lifecycle changes only, never while live), and polling `status()` would cost a query of the log per tick and lag by
 * the tick; `waitFor` is exact, and the log subscription also sees writes made by other processes on the same store.
 * Bursts coalesce: while a read is under way, later events only move the target, and one more read follows.
 */
export const createConferenceFeeds = (options: ConferenceFeedsOptions): ConferenceFeeds => {
  const { eventStore, runner, read, waitTimeoutMs, onError } = options;
  const channels = new Map<string, Channel>();
  let closed = false;
  let subscription: Subscription | undefined;
  /** Resolves once the subscription is open: events after the head read then reach the channels. */
  let following: Promise<void> | undefined;

  const endChannel = (channel: Channel): void => {
    channels.delete(channel.conferenceId);
    for (const watcher of channel.watchers.keys()) watcher.end();
    channel.watchers.clear();
  };

  const pump = async (channel: Channel): Promise<void> => {
    channel.pumping = true;
    try {
      while (channel.dirty && !closed && channel.watchers.size > 0) {
        channel.dirty = false;
        const target = channel.target;
        await runner.waitFor(target, { timeoutMs: waitTimeoutMs });
        const snapshot = await read(channel.conferenceId, target);
        if (closed) return;
        const text = shown(snapshot);
        for (const [watcher, last] of channel.watchers) {
          if (last === text) continue;
          channel.watchers.set(watcher, text);
          watcher.snapshot(snapshot);
        }
      }
    } catch (error) {
      // A projection failed or stopped, or the store cannot be read: the pages reconnect and start over.
      if (!closed) onError(error, `live feed of conference ${channel.conferenceId}`);
      endChannel(channel);
    } finally {
      channel.pumping = false;
    }
  };

  const schedule = (channel: Channel, position: Position | undefined): void => {
    if (position !== undefined && (channel.target === undefined || isAfter(position, channel.target))) channel.target = position;
    channel.dirty = true;
    if (!channel.pumping) void pump(channel);
  };

  const follow = async (): Promise<void> => {
    const after = await eventStore.headPosition();
    if (closed) return;
    const opened = eventStore.subscribe({ after, filter: { eventTypes: SHOWN_EVENT_TYPES } });
    subscription = opened;
    void (async () => {
      try {
        for await (const message of opened) {
          if (message.kind !== 'event') continue;
          const conferenceId = conferenceOf(message.event.data);
          const channel = conferenceId === undefined ? undefined : channels.get(conferenceId);
          if (channel !== undefined) schedule(channel, message.event.position);
        }
      } catch (error) {
        if (!closed) onError(error, 'live feed subscription');
      }
      // Ended by a fault (or by close): every page reconnects, and the next watcher opens a new subscription.
      if (subscription === opened) {
        subscription = undefined;
        following = undefined;
        for (const channel of [...channels.values()]) endChannel(channel);
      }
    })();
  };

  return {
    watch: (conferenceId, watcher) => {
      if (closed) {
        watcher.end();
        return () => undefined;
      }
      let channel = channels.get(conferenceId);
      if (channel === undefined) {
        channel = { conferenceId, watchers: new Map(), target: undefined, dirty: false, pumping: false };
        channels.set(conferenceId, channel);
      }
      channel.watchers.set(watcher, undefined);
      const joined = channel;
      following ??= follow();
      // The head is read once the subscription is open: what it holds comes with this first snapshot, what follows
      // it through the subscription, so nothing falls between the two.
      following
        .then(() => eventStore.headPosition())
        .then((head) => {
          if (joined.watchers.has(watcher)) schedule(joined, head);
        })
        .catch((error: unknown) => {
          onError(error, `live feed of conference ${conferenceId}`);
          following = undefined;
          endChannel(joined);
        });
      return () => {
        joined.watchers.delete(watcher);
        if (joined.watchers.size === 0 && channels.get(conferenceId) === joined) channels.delete(conferenceId);
      };
    },
    watching: () => [...channels.values()].reduce((sum, channel) => sum + channel.watchers.size, 0),
    close: async () => {
      closed = true;
      for (const channel of [...channels.values()]) endChannel(channel);
      await subscription?.close();
    },
  };
};
