import { readFileSync } from 'node:fs';
import * as t from 'io-ts';
import { formatPosition, toJsonSchema, type Position } from '@clusterconf/domain';
import {
  attendanceProjection, ballotTalliesProjection, createReadModelReader, type AttendanceDocument, type BallotTallyDocument, type ReadModelStore,
} from '@clusterconf/projections';
import type { ConferenceFeeds } from './conference-feed.js';
import type { Route } from './endpoint.js';
import { openEventStream, type EventStreamOptions } from './event-stream.js';
import { LiveSnapshot, liveSnapshot } from './live-snapshot.js';

const asset = (name: string): string => readFileSync(new URL(`./live-page/${name}`, import.meta.url), 'utf8');
const PAGE = asset('live.html');
const SCRIPT = asset('live.js');
const STYLE = asset('live.css');

/** The page loads only its own script, style and event stream. */
const CONTENT_SECURITY_POLICY = "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self' data:; base-uri 'none'; form-action 'none'";

/** Ballots of one conference per read, at most; a conference has a handful. */
const BALLOT_PAGE = 100;

/** Reads a conference's snapshot from the attendance and ballot-tally read models. */
export const readLiveSnapshot = (store: ReadModelStore) => {
  const reader = createReadModelReader(store);
  return async (conferenceId: string, position: Position | undefined): Promise<LiveSnapshot> => {
    const attendance = await reader.get<AttendanceDocument>(attendanceProjection.name, 'conferences', conferenceId);
    // Ballot documents are `<conferenceId>.<ballotId>` and slugs hold no dot, so this conference's ballots are the ids
    // right after `<conferenceId>.` that start with it.
    const prefix = `${conferenceId}.`;
    const tallies: BallotTallyDocument[] = [];
    for (let afterId = prefix; ;) {
      const page = await reader.list<BallotTallyDocument>(ballotTalliesProjection.name, 'ballots', { afterId, limit: BALLOT_PAGE });
      const mine = page.filter((stored) => stored.id.startsWith(prefix));
      tallies.push(...mine.map((stored) => stored.document));
      if (mine.length < BALLOT_PAGE) break;
      afterId = mine[mine.length - 1]!.id;
    }
    return liveSnapshot(conferenceId, position === undefined ? null : formatPosition(position), attendance, tallies);
  };
};

/** What the live endpoints use. */
export interface LiveEndpointsDeps {
  readonly feeds: ConferenceFeeds;
  readonly stream: EventStreamOptions;
}

const text = (contentType: string, body: string, headers: Record<string, string> = {}) =>
  async () => ({ status: 200, body, headers: { 'content-type': contentType, 'cache-control': 'no-cache', ...headers } });

/** The live page of a conference, its script and style, and the stream of snapshots it draws. */
export const liveEndpoints = ({ feeds, stream }: LiveEndpointsDeps): Route[] => [
  {
    method: 'GET', url: '/conferences/:conferenceId/live', operationId: 'live-page', tag: 'live',
    summary: 'A page with the conference\'s attendance and ballot tallies as bar charts, redrawn as votes arrive',
    params: toJsonSchema(t.type({ conferenceId: t.string })),
    responses: { 200: { description: 'The page', contentType: 'text/html' } },
    handler: text('text/html; charset=utf-8', PAGE, { 'content-security-policy': CONTENT_SECURITY_POLICY }),
  },
  {
    method: 'GET', url: '/live/live.js', operationId: 'live-script', tag: 'live', summary: 'The live page\'s script',
    responses: { 200: { description: 'JavaScript', contentType: 'text/javascript' } },
    handler: text('text/javascript; charset=utf-8', SCRIPT),
  },
  {
    method: 'GET', url: '/live/live.css', operationId: 'live-style', tag: 'live', summary: 'The live page\'s style',
    responses: { 200: { description: 'CSS', contentType: 'text/css' } },
    handler: text('text/css; charset=utf-8', STYLE),
  },
  {
    method: 'GET', url: '/conferences/:conferenceId/events', operationId: 'live-events', tag: 'live',
    summary: 'Server-sent events: a `snapshot` at once, then one whenever the read models change what the page shows',
    description: `Each event is \`event: snapshot\`, \`id: <position>\` and \`data: <LiveSnapshot as JSON>\`, the LiveSnapshot schema being ${JSON.stringify(toJsonSchema(LiveSnapshot))}. ` +
      'A comment line keeps the stream alive; when the server stops, the stream ends and the browser reconnects.',
    params: toJsonSchema(t.type({ conferenceId: t.string })),
    responses: { 200: { description: 'The stream', contentType: 'text/event-stream', schema: { type: 'string' } } },
    handler: async (request, reply) => {
      const { conferenceId } = request.params as { conferenceId: string };
      // A HEAD gets the headers, not a stream that would never end.
      if (request.method === 'HEAD') return { status: 200, body: undefined, headers: { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-store' } };
      reply.hijack();
      const events = openEventStream(reply.raw, stream);
      const unwatch = feeds.watch(conferenceId, {
        snapshot: (snapshot) => events.send('snapshot', snapshot, snapshot.position ?? undefined),
        end: () => events.end(),
      });
      // Whoever ends the stream (the client, a fault, shutdown), the watcher goes with it.
      void events.ended.then(unwatch);
      return undefined;
    },
  },
];
