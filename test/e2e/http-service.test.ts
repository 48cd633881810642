import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SqliteEventStore, SqliteReadModelStore } from '@clusterconf/adapters/sqlite';
import { MemoryEventStore } from '@clusterconf/adapters/memory';
import { comparePositions, conferenceEvents, parsePosition, type ConferenceEvent, type EventStore } from '@clusterconf/domain';
import { MemoryReadModelStore, defineProjection, type ReadModelStore } from '@clusterconf/projections';
import { votesPerCountryProjection } from '../../examples/custom-projection/votes-per-country.js';
import { commandRoutes, createConferenceHttpService, type ConferenceHttpService } from '../../examples/http-service/index.js';
import { repoRoot } from './spawn-tsx.js';

interface Answer {
  readonly status: number;
  readonly headers: Headers;
  readonly body: Record<string, unknown>;
}

const call = async (url: string, init: RequestInit = {}): Promise<Answer> => {
  const response = await fetch(url, init);
  const text = await response.text();
  return { status: response.status, headers: response.headers, body: text === '' ? {} : (JSON.parse(text) as Record<string, unknown>) };
};

const post = (base: string, command: string, body: unknown, headers: Record<string, string> = {}) =>
  call(`${base}/commands/${command}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });

/** Every error is an RFC 9457 problem: its media type, its five members, and the status repeated in the body. */
const expectProblem = (answer: Answer, status: number, type: string, instance: string) => {
  expect(answer.status).toBe(status);
  expect(answer.headers.get('content-type')).toMatch(/^application\/problem\+json/);
  expect(answer.body).toMatchObject({ type: `/problems/${type}`, title: expect.any(String), status, detail: expect.any(String), instance });
};

/** `inner` with its appends made by `appendToStream`, everything else passed through. */
const withAppend = (inner: EventStore, appendToStream: EventStore['appendToStream']): EventStore => ({
  appendToStream,
  readStream: (streamId, options) => inner.readStream(streamId, options),
  readAll: (options) => inner.readAll(options),
  headPosition: () => inner.headPosition(),
  progressAfter: (after) => inner.progressAfter(after),
  subscribe: (options) => inner.subscribe(options),
  close: () => inner.close(),
});

const schedule = { conferenceId: 'ecc2020', name: 'European Cluster Conference 2020', days: ['2020-11-24', '2020-11-25'], capacity: null, organisers: ['European Commission'] };
const attendee = (attendeeId: string, country: string) =>
  ({ conferenceId: 'ecc2020', attendeeId, name: `Attendee ${attendeeId}`, country, stakeholderGroup: 'business' });
const ballotSession = {
  conferenceId: 'ecc2020', sessionId: 'award-vote', title: 'Cluster award vote', day: '2020-11-25',
  openers: [{ name: 'Chair', role: 'moderator' }],
  ballot: {
    awardId: 'cluster-award',
    candidates: [
      { candidateId: 'alpha', name: 'Alpha Cluster', affiliation: 'Region A' },
      { candidateId: 'beta', name: 'Beta Cluster', affiliation: 'Region B' },
    ],
  },
};
const vote = (attendeeId: string, candidateId: string) => ({ conferenceId: 'ecc2020', ballotId: 'award-vote', attendeeId, candidateId });

describe('the HTTP service example over loopback HTTP, on a SQLite file', () => {
  let dir: string;
  let eventStore: SqliteEventStore;
  let readModelStore: SqliteReadModelStore;
  let service: ConferenceHttpService;
  let base: string;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'clusterconf-http-'));
    eventStore = await SqliteEventStore.open({ path: join(dir, 'service.sqlite') });
    readModelStore = await SqliteReadModelStore.open({ database: eventStore.database });
    service = createConferenceHttpService({
      eventStore, readModelStore, maxBodyBytes: 64 * 1024,
      readModels: { 'votes-per-country': { projection: votesPerCountryProjection, collection: 'ballots', idHint: '<conferenceId>.<ballotId>' } },
    });
    base = await service.listen(0, '127.0.0.1');
  });

  afterAll(async () => {
    await service?.close();
    await readModelStore?.close();
    await eventStore?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('runs commands, answers with their positions and revisions, and reads its own writes through ?after= and Consistency-Position', async () => {
    const scheduled = await post(base, 'schedule-conference', schedule);
    expect(scheduled.status).toBe(201);
    expect(scheduled.body).toEqual({ position: expect.stringMatching(/^\d+$/), revision: '0', events: ['ConferenceScheduled'] });
    expect(scheduled.headers.get('consistency-position')).toBe(scheduled.body['position']);

    const countries = ['DE', 'FR', 'DE', 'ES'];
    for (const [index, country] of countries.entries()) {
      const registered = await post(base, 'register-attendee', attendee(`a${index}`, country));
      expect(registered.status).toBe(201);
      expect(registered.body['revision']).toBe(String(index + 1));
      // Each GET waits for the position its own POST returned, so it always sees that registration.
      const attendance = await call(`${base}/read-models/attendance/ecc2020?after=${registered.body['position'] as string}`);
      expect(attendance.status).toBe(200);
      expect(attendance.body['total']).toBe(index + 1);
    }

    const opened = await post(base, 'open-session', ballotSession);
    expect(opened.body).toMatchObject({ events: ['SessionOpened'] });
    const choices = ['alpha', 'beta', 'alpha', 'alpha'];
    for (const [index, candidateId] of choices.entries()) {
      const cast = await post(base, 'cast-vote', vote(`a${index}`, candidateId));
      expect(cast.status).toBe(201);
      const tally = await call(`${base}/read-models/ballot-tallies/ecc2020.award-vote`, {
        headers: { 'consistency-position': cast.headers.get('consistency-position')! },
      });
      expect(tally.status).toBe(200);
      expect(tally.body['counted']).toBe(index + 1);
    }

    const closed = await post(base, 'close-ballot', { conferenceId: 'ecc2020', sessionId: 'award-vote' });
    const tally = await call(`${base}/read-models/ballot-tallies/ecc2020.award-vote?after=${closed.body['position'] as string}`);
    expect(tally.body).toMatchObject({
      closed: true, counted: 4, late: 0, leaders: ['alpha'],
      tally: [{ candidateId: 'alpha', votes: 3 }, { candidateId: 'beta', votes: 1 }],
    });

    const granted = await post(base, 'grant-voted-award', { awardId: 'cluster-award', edition: 1, title: 'Cluster Award', conferenceId: 'ecc2020', ballotId: 'award-vote' });
    expect(granted.status).toBe(201);
    const roll = await call(`${base}/read-models/award-roll/cluster-award?after=${granted.body['position'] as string}`);
    expect(roll.status).toBe(200);
    expect(JSON.stringify(roll.body)).toContain('Alpha Cluster');

    // A user's own projection, served beside the built-in ones (examples/custom-projection).
    const split = await call(`${base}/read-models/votes-per-country/ecc2020.award-vote?after=${closed.body['position'] as string}`);
    expect(split.body).toMatchObject({ countries: { DE: { alpha: 2 }, FR: { beta: 1 }, ES: { alpha: 1 } }, counted: 4 });

    const listed = await call(`${base}/read-models/attendance?after=${granted.body['position'] as string}`);
    expect(listed.body).toMatchObject({ documents: [{ id: 'ecc2020', document: { total: 4, byCountry: { DE: 2, FR: 1, ES: 1 } } }], nextAfterId: null });

    // The streams themselves, folded as commands see them.
    const conference = await call(`${base}/conferences/ecc2020`);
    expect(conference.body).toEqual({
      conferenceId: 'ecc2020', days: ['2020-11-24', '2020-11-25'], capacity: null, attendees: 4,
      sessions: [{ sessionId: 'award-vote', day: '2020-11-25', ballot: { awardId: 'cluster-award', candidates: ballotSession.ballot.candidates, closed: true } }],
    });
    expect((await call(`${base}/awards/cluster-award`)).body).toEqual({ awardId: 'cluster-award', editions: [{ edition: 1, recipient: 'Alpha Cluster' }] });
  });

  it('answers a domain refusal with a 409 problem carrying the domain error, and an invalid value with 422', async () => {
    const again = await post(base, 'cast-vote', vote('a1', 'alpha'));
    expectProblem(again, 409, 'already-voted', '/commands/cast-vote');
    expect(again.body).toMatchObject({ attendeeId: 'a1', votedFor: 'beta', detail: expect.stringContaining('a vote cannot be changed') });

    const same = await post(base, 'cast-vote', vote('a1', 'beta'));
    expect(same.status).toBe(200);
    // The position of the vote it found, so a GET after it sees that vote counted.
    expect(same.body).toEqual({ position: expect.stringMatching(/^\d+$/), revision: '0', events: [] });
    expect(same.headers.get('consistency-position')).toBe(same.body['position']);

    const late = await post(base, 'register-attendee', attendee('a9', 'IT'));
    expect(late.status).toBe(201);
    const afterClose = await post(base, 'cast-vote', vote('a9', 'beta'));
    expectProblem(afterClose, 409, 'ballot-not-open', '/commands/cast-vote');
    expect(afterClose.body['domainStatus']).toBe('closed');

    const country = await post(base, 'register-attendee', attendee('a10', 'Germany'));
    expectProblem(country, 422, 'invalid-country', '/commands/register-attendee');
    expect(country.body).toMatchObject({ field: 'country', value: 'Germany' });

    expectProblem(await post(base, 'register-attendee', { ...attendee('x', 'DE'), conferenceId: 'nowhere' }), 409, 'conference-not-scheduled', '/commands/register-attendee');
    // Every problem type names a page of this service that says what it is.
    expect((await call(`${base}/problems/already-voted`)).body).toEqual({ type: '/problems/already-voted', title: 'Already voted', status: 409 });
  });

  it('answers a command sent again with its Idempotency-Key with the first reply, applying it once', async () => {
    const key = { 'idempotency-key': 'register-a20-attempt' };
    const first = await post(base, 'register-attendee', attendee('a20', 'PT'), key);
    expect(first.status).toBe(201);
    // The answer was lost, say: the client sends the same request with the same key.
    const again = await post(base, 'register-attendee', attendee('a20', 'PT'), key);
    expect({ status: again.status, body: again.body }).toEqual({ status: first.status, body: first.body });
    // Without the key it is another command, which the domain refuses: the attendee is registered already.
    expect((await post(base, 'register-attendee', attendee('a20', 'PT'))).body).toMatchObject({ type: '/problems/attendee-already-registered' });
    const attendance = await call(`${base}/read-models/attendance/ecc2020?after=${first.body['position'] as string}`);
    expect((attendance.body['byCountry'] as Record<string, number>)['PT']).toBe(1);

    for (const bad of ['', 'k'.repeat(201)]) {
      const refused = await post(base, 'register-attendee', attendee('a21', 'PT'), { 'idempotency-key': bad });
      expectProblem(refused, 400, 'invalid-header', '/commands/register-attendee');
      expect(refused.body['detail']).toContain('send 1 to 200, one key per command');
    }
  });

  it('refuses malformed bodies with 400 problems whose errors point at each wrong member', async () => {
    const { candidateId: _omitted, ...missing } = vote('a2', 'beta');
    const missingField = await post(base, 'cast-vote', missing);
    expectProblem(missingField, 400, 'invalid-command', '/commands/cast-vote');
    expect(missingField.body['errors']).toEqual([{ pointer: '#/candidateId', detail: 'expected string, got nothing (missing)' }]);

    const wrongType = await post(base, 'grant-jury-award', { awardId: 'jury-award', edition: '1', title: 'Jury Award', recipient: 'Gamma', affiliation: 'Region C' });
    // No coercion: "1" is not a number.
    expect(wrongType.body['errors']).toEqual([{ pointer: '#/edition', detail: 'expected number, got "1"' }]);

    const nested = await post(base, 'open-session', { ...ballotSession, sessionId: 'panel', openers: [{ name: 'Chair', role: 7 }], capacity: 3 });
    expect(nested.body['errors']).toEqual([
      { pointer: '#/capacity', detail: 'unknown member; OpenSession takes conferenceId, sessionId, title, day, openers, ballot' },
      { pointer: '#/openers/0/role', detail: 'expected string, got 7' },
    ]);

    const notAnObject = await post(base, 'found-alliance', '[1, 2]');
    expect(notAnObject.body['errors']).toEqual([{ pointer: '#', detail: 'expected FoundAlliance object, got [1,2]' }]);

    const invalidJson = await post(base, 'found-alliance', '{"allianceId": "eca",');
    expectProblem(invalidJson, 400, 'invalid-json', '/commands/found-alliance');
    expect(invalidJson.body['detail']).toMatch(/^The body is not valid JSON \(.+\)/);
    expectProblem(await post(base, 'found-alliance', '{"__proto__": {"admin": true}, "allianceId": "eca", "name": "x"}'), 400, 'invalid-json', '/commands/found-alliance');
    expectProblem(await post(base, 'found-alliance', ''), 400, 'invalid-json', '/commands/found-alliance');
    const notUtf8 = await call(`${base}/commands/found-alliance`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: new Uint8Array([0x7b, 0xff, 0x7d]) });
    expectProblem(notUtf8, 400, 'invalid-json', '/commands/found-alliance');
    expect(notUtf8.body['detail']).toContain('not UTF-8');

    expectProblem(await post(base, 'found-alliance', 'allianceId=eca', { 'content-type': 'application/x-www-form-urlencoded' }), 415, 'unsupported-media-type', '/commands/found-alliance');
    expectProblem(await post(base, 'found-alliance', '{}', { 'content-type': 'text/plain' }), 415, 'unsupported-media-type', '/commands/found-alliance');
    // A +json type is JSON.
    expect((await post(base, 'found-alliance', { allianceId: 'eca', name: 'European Cluster Alliance' }, { 'content-type': 'application/vnd.clusterconf+json; charset=utf-8' })).status).toBe(201);

    const roster = await call(`${base}/read-models/alliance-roster`);
    expect((roster.body['documents'] as unknown[]).length).toBeLessThanOrEqual(1);
  });

  it('answers a 2 MiB body with a 413 problem over real HTTP, not a reset connection, and serves the next request', async () => {
    const huge = JSON.stringify({ allianceId: 'big', name: 'x'.repeat(2 * 1024 * 1024) });
    const tooLarge = await post(base, 'found-alliance', huge);
    expectProblem(tooLarge, 413, 'body-too-large', '/commands/found-alliance');
    // Streamed without a Content-Length, it is cut off when it passes the limit: still a 413.
    const chunks = new ReadableStream<Uint8Array>({
      start(controller) {
        for (let i = 0; i < 64; i++) controller.enqueue(new TextEncoder().encode(' '.repeat(32 * 1024)));
        controller.close();
      },
    });
    const streamed = await call(`${base}/commands/found-alliance`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: chunks, duplex: 'half' } as RequestInit);
    expectProblem(streamed, 413, 'body-too-large', '/commands/found-alliance');
    expect((await call(`${base}/healthz`)).status).toBe(200);
  });

  it('answers unknown paths with 404, wrong methods with 405 and Allow, and bad queries with 400, all as problems', async () => {
    expectProblem(await call(`${base}/read-models/speakers/ecc2020`), 404, 'not-found', '/read-models/speakers/ecc2020');
    const missingDocument = await call(`${base}/read-models/attendance/ecc2099`);
    expectProblem(missingDocument, 404, 'document-not-found', '/read-models/attendance/ecc2099');
    expect(missingDocument.body['detail']).toContain('its ids are <conferenceId>');
    expectProblem(await post(base, 'cancel-conference', {}), 404, 'not-found', '/commands/cancel-conference');
    expectProblem(await call(`${base}/nowhere?x=1`), 404, 'not-found', '/nowhere?x=1');
    expectProblem(await call(`${base}/conferences/ecc2099`), 404, 'resource-not-found', '/conferences/ecc2099');
    expectProblem(await call(`${base}/conferences/Not%20A%20Slug`), 404, 'resource-not-found', '/conferences/Not%20A%20Slug');

    const getCommand = await call(`${base}/commands/cast-vote`);
    expectProblem(getCommand, 405, 'method-not-allowed', '/commands/cast-vote');
    expect(getCommand.headers.get('allow')).toBe('POST');
    const postReadModel = await call(`${base}/read-models/attendance/ecc2020`, { method: 'DELETE' });
    expectProblem(postReadModel, 405, 'method-not-allowed', '/read-models/attendance/ecc2020');
    expect(postReadModel.headers.get('allow')).toBe('GET, HEAD');

    const badAfter = await call(`${base}/read-models/attendance/ecc2020?after=yesterday`);
    expectProblem(badAfter, 400, 'invalid-query', '/read-models/attendance/ecc2020?after=yesterday');
    expect(badAfter.body['errors']).toEqual([{ parameter: 'after', detail: expect.stringContaining('"yesterday" is not a log position') }]);
    const badHeader = await call(`${base}/read-models/attendance/ecc2020`, { headers: { 'consistency-position': 'soon' } });
    expect(badHeader.body['errors']).toEqual([{ header: 'Consistency-Position', detail: expect.stringContaining('"soon" is not a log position') }]);
    expect((await call(`${base}/read-models/attendance?limit=0`)).body['errors']).toEqual([{ parameter: 'limit', detail: 'expected a whole number from 1 to 1000, got "0"' }]);
    expect((await call(`${base}/read-models/attendance?limt=5`)).body['errors']).toEqual([{ parameter: 'limt', detail: 'unknown parameter; this path takes after, afterId, limit' }]);
  });

  it('takes concurrent votes, each on its own stream, and the GET after the last position sees every one', async () => {
    await post(base, 'schedule-conference', { ...schedule, conferenceId: 'ecc2021' });
    await post(base, 'open-session', { ...ballotSession, conferenceId: 'ecc2021' });
    const voters = Array.from({ length: 40 }, (_, i) => `v${i}`);
    for (const voter of voters) expect((await post(base, 'register-attendee', { ...attendee(voter, 'NL'), conferenceId: 'ecc2021' })).status).toBe(201);
    const casts = await Promise.all(voters.map((voter, i) => post(base, 'cast-vote', { ...vote(voter, i % 3 === 0 ? 'beta' : 'alpha'), conferenceId: 'ecc2021' })));
    expect(casts.map((cast) => cast.status)).toEqual(voters.map(() => 201));
    const latest = casts.map((cast) => cast.body['position'] as string).sort((a, b) => comparePositions(parsePosition(a), parsePosition(b))).at(-1)!;
    const tally = await call(`${base}/read-models/ballot-tallies/ecc2021.award-vote?after=${latest}`);
    expect(tally.body).toMatchObject({ counted: 40, tally: [{ candidateId: 'alpha', votes: 26 }, { candidateId: 'beta', votes: 14 }] });
  });

  it('reports the projections in /status, is healthy, and ready once they are live', async () => {
    const status = await call(`${base}/status`);
    expect(status.status).toBe(200);
    const names = (status.body['projections'] as { name: string }[]).map((entry) => entry.name);
    expect(names).toEqual(['attendance', 'agenda', 'ballot_tallies', 'award_roll', 'alliance_roster', 'attendee_directory', 'votes_per_country']);
    expect(status.body['liveStreams']).toBe(0);
    expect((await call(`${base}/healthz`)).body).toEqual({ status: 'up' });
    expect((await call(`${base}/readyz`)).body).toEqual({ ready: true, projections: names });
  });

  it('serves an OpenAPI 3.1 document whose request schemas are the ones Fastify validates with', async () => {
    const document = (await call(`${base}/openapi.json`)).body as {
      openapi: string; paths: Record<string, Record<string, { requestBody?: { content: Record<string, { schema: unknown }> }; responses: Record<string, { content?: Record<string, { schema?: unknown }> }> }>>;
    };
    expect(document.openapi).toBe('3.1.0');
    for (const [name, route] of Object.entries(commandRoutes)) {
      const operation = document.paths[`/commands/${name}`]!['post']!;
      expect(operation.requestBody!.content['application/json']!.schema).toEqual(route.schema);
      expect(operation.responses['409']!.content!['application/problem+json']!.schema).toEqual({ $ref: '#/components/schemas/Problem' });
    }
    expect(Object.keys(document.paths)).toEqual(expect.arrayContaining([
      '/conferences/{conferenceId}', '/conferences/{conferenceId}/live', '/conferences/{conferenceId}/events', '/read-models/votes-per-country/{id}',
      '/healthz', '/readyz', '/openapi.json', '/problems/{name}',
    ]));
    // The schema a command is refused by is the one the document shows: a member it lists as required is required.
    const castVote = document.paths['/commands/cast-vote']!['post']!.requestBody!.content['application/json']!.schema as { required: string[]; additionalProperties: boolean };
    expect(castVote).toMatchObject({ required: ['conferenceId', 'ballotId', 'attendeeId', 'candidateId'], additionalProperties: false, title: 'CastVote' });
  });
});

describe('ETags and If-Match on stream revisions', () => {
  it('gives a stream-backed resource its revision as ETag, and appends a command with If-Match only at that revision', async () => {
    const eventStore = new MemoryEventStore();
    const service = createConferenceHttpService({ eventStore, readModelStore: new MemoryReadModelStore() });
    try {
      const base = await service.listen(0);
      await post(base, 'schedule-conference', schedule);
      const first = await call(`${base}/conferences/ecc2020`);
      expect(first.headers.get('etag')).toBe('"0"');

      const conditional = { 'if-match': '"0"', 'idempotency-key': 'register-ana' };
      const registered = await post(base, 'register-attendee', attendee('ana', 'DE'), conditional);
      expect(registered.status).toBe(201);
      expect(registered.body['revision']).toBe('1');
      expect((await call(`${base}/conferences/ecc2020`)).headers.get('etag')).toBe('"1"');
      // Sent again as it was, it is the same command, decided at revision 0: the first reply again. With another
      // If-Match it no longer holds, though nothing would be appended.
      expect(await post(base, 'register-attendee', attendee('ana', 'DE'), conditional)).toMatchObject({ status: 201, body: registered.body });
      expect((await post(base, 'register-attendee', attendee('ana', 'DE'), { ...conditional, 'if-match': '"1"' })).status).toBe(412);

      // Someone else's write came in between: the stale ETag fails the command, and nothing is appended.
      const stale = await post(base, 'register-attendee', attendee('bo', 'FR'), { 'if-match': '"0"' });
      expectProblem(stale, 412, 'precondition-failed', '/commands/register-attendee');
      expect(stale.body['detail']).toContain('If-Match names revision 0, but conference-ecc2020 is at revision 1');
      const current = await call(`${base}/conferences/ecc2020`);
      expect({ etag: current.headers.get('etag'), attendees: current.body['attendees'] }).toEqual({ etag: '"1"', attendees: 1 });

      expect((await post(base, 'register-attendee', attendee('bo', 'FR'), { 'if-match': '"7", "1"' })).status).toBe(201);
      expect((await post(base, 'register-attendee', attendee('cy', 'IT'), { 'if-match': '*' })).status).toBe(201);
      // * needs the stream to exist; so does a revision.
      expectProblem(await post(base, 'found-alliance', { allianceId: 'eca', name: 'ECA' }, { 'if-match': '*' }), 412, 'precondition-failed', '/commands/found-alliance');
      // A weak tag never matches for If-Match; a tag without quotes is no tag.
      expect((await post(base, 'register-attendee', attendee('di', 'IT'), { 'if-match': 'W/"3"' })).status).toBe(412);
      expectProblem(await post(base, 'register-attendee', attendee('di', 'IT'), { 'if-match': '3' }), 400, 'invalid-header', '/commands/register-attendee');
      expect((await call(`${base}/conferences/ecc2020`)).headers.get('etag')).toBe('"3"');

      const unchanged = await call(`${base}/conferences/ecc2020`, { headers: { 'if-none-match': '"3"' } });
      expect(unchanged.status).toBe(304);
      expect(unchanged.headers.get('etag')).toBe('"3"');
      expect((await call(`${base}/conferences/ecc2020`, { headers: { 'if-none-match': '"2"' } })).status).toBe(200);
    } finally {
      await service.close();
    }
  });

  it('fails a conditional command whose append loses a race, instead of deciding again on a state the client never saw', async () => {
    const inner = new MemoryEventStore();
    // The first append is held until a concurrent command has written: the race a GET-then-command always risks.
    let releaseFirst: () => void = () => undefined;
    let holding = true;
    const held = new Promise<void>((resolve) => (releaseFirst = resolve));
    let heldStarted: () => void = () => undefined;
    const started = new Promise<void>((resolve) => (heldStarted = resolve));
    const racing = withAppend(inner, async (streamId, events, options) => {
      if (holding && streamId === 'conference-ecc2020' && options?.expectedRevision === 0n) {
        holding = false;
        heldStarted();
        await held;
      }
      return inner.appendToStream(streamId, events, options);
    });
    const service = createConferenceHttpService({ eventStore: racing, readModelStore: new MemoryReadModelStore() });
    try {
      const base = await service.listen(0);
      expect((await post(base, 'schedule-conference', schedule)).status).toBe(201);
      const conditional = post(base, 'register-attendee', attendee('ana', 'DE'), { 'if-match': '"0"' });
      await started;
      // Another writer (another instance, say) registers first, through the store directly.
      const other = createConferenceHttpService({ eventStore: inner, readModelStore: new MemoryReadModelStore() });
      const otherBase = await other.listen(0);
      expect((await post(otherBase, 'register-attendee', attendee('bo', 'FR'))).status).toBe(201);
      await other.close();
      releaseFirst();
      expectProblem(await conditional, 412, 'precondition-failed', '/commands/register-attendee');
      expect((await call(`${base}/conferences/ecc2020`)).body['attendees']).toBe(1);
    } finally {
      releaseFirst();
      await service.close();
    }
  });
});

/** A read-model store whose batches wait at a gate the test opens, so "the projection has not caught up yet" is a state, not a race. */
const gatedStore = (inner: ReadModelStore) => {
  let open: () => void = () => undefined;
  let gate: Promise<void> = Promise.resolve();
  let arrived: () => void = () => undefined;
  let waiting: Promise<void> = Promise.resolve();
  const store: ReadModelStore = {
    kind: inner.kind,
    guarantee: inner.guarantee,
    loadCheckpoint: (namespace) => inner.loadCheckpoint(namespace),
    commitBatch: async (batch) => {
      arrived();
      await gate;
      return inner.commitBatch(batch);
    },
    readDocument: (namespace, collection, id) => inner.readDocument(namespace, collection, id),
    listDocuments: (namespace, collection, options) => inner.listDocuments(namespace, collection, options),
    listDeadLetters: (namespace) => inner.listDeadLetters(namespace),
    activate: (name, version) => inner.activate(name, version),
    activeVersion: (name) => inner.activeVersion(name),
    dropNamespace: (namespace) => inner.dropNamespace(namespace),
    close: () => inner.close(),
  };
  return {
    store,
    hold: (): void => {
      gate = new Promise<void>((resolve) => (open = resolve));
      waiting = new Promise<void>((resolve) => (arrived = resolve));
    },
    /** Resolves once a batch waits at the gate held last. */
    waiting: () => waiting,
    release: () => open(),
  };
};

describe('the HTTP service example while the read models lag behind', () => {
  it('answers a GET with ?after= only once the projections reach the position, while a GET without it sees the old state', async () => {
    const eventStore = new MemoryEventStore();
    const gated = gatedStore(new MemoryReadModelStore());
    const service = createConferenceHttpService({ eventStore, readModelStore: gated.store });
    try {
      const base = await service.listen(0);
      const scheduled = await post(base, 'schedule-conference', schedule);
      await post(base, 'register-attendee', attendee('ana', 'DE'));
      const first = await post(base, 'register-attendee', attendee('bo', 'FR'));
      expect((await call(`${base}/read-models/attendance/ecc2020?after=${first.body['position'] as string}`)).body['total']).toBe(2);
      expect(scheduled.status).toBe(201);

      gated.hold();
      const second = await post(base, 'register-attendee', attendee('cy', 'IT'));
      let answered = false;
      const waiting = call(`${base}/read-models/attendance/ecc2020?after=${second.body['position'] as string}`).then((answer) => {
        answered = true;
        return answer;
      });
      const stale = await call(`${base}/read-models/attendance/ecc2020`);
      expect(stale.body['total']).toBe(2);
      expect(answered).toBe(false);

      gated.release();
      const fresh = await waiting;
      expect(fresh.status).toBe(200);
      expect(fresh.body).toMatchObject({ total: 3, byCountry: { DE: 1, FR: 1, IT: 1 } });
    } finally {
      gated.release();
      await service.close();
    }
  });
});

describe('the HTTP service example when the read models cannot reach a position, or a projection fails', () => {
  it('answers 503 with the runner error as a problem once waiting for ?after= times out', async () => {
    const service = createConferenceHttpService({ eventStore: new MemoryEventStore(), readModelStore: new MemoryReadModelStore(), waitTimeoutMs: 100 });
    try {
      const base = await service.listen(0);
      const answer = await call(`${base}/read-models/attendance/ecc2020?after=1000`);
      expectProblem(answer, 503, 'wait-for-position-failed', '/read-models/attendance/ecc2020?after=1000');
      expect(answer.headers.get('retry-after')).toBe('1');
    } finally {
      await service.close();
    }
  });

  it('is not ready while a projection is not live, and says which', async () => {
    // A projection that refuses alliances: the first one founded stops it (failed), the others stay live.
    const refusing = defineProjection<ConferenceEvent>(conferenceEvents, {
      name: 'refuses_alliances', version: 1,
      handlers: { AllianceFounded: () => { throw new Error('this projection refuses alliances'); } },
    });
    const service = createConferenceHttpService({
      eventStore: new MemoryEventStore(), readModelStore: new MemoryReadModelStore(),
      readModels: { refusing: { projection: refusing, collection: 'none', idHint: '-' } },
    });
    try {
      const base = await service.listen(0);
      await expect.poll(async () => (await call(`${base}/readyz`)).status).toBe(200);
      await post(base, 'found-alliance', { allianceId: 'eca', name: 'European Cluster Alliance' });
      await expect.poll(async () => (await call(`${base}/readyz`)).status).toBe(503);
      const ready = await call(`${base}/readyz`);
      expectProblem(ready, 503, 'not-ready', '/readyz');
      expect(ready.body['notLive']).toEqual([{ name: 'refuses_alliances', version: 1, state: 'failed' }]);
      // Still alive: the process answers.
      expect((await call(`${base}/healthz`)).status).toBe(200);
    } finally {
      await service.close();
    }
  });
});

describe('closing the HTTP service example', () => {
  it('answers a GET still waiting for a position with 503 instead of holding the close until the wait times out', async () => {
    const service = createConferenceHttpService({ eventStore: new MemoryEventStore(), readModelStore: new MemoryReadModelStore(), waitTimeoutMs: 600_000 });
    const base = await service.listen(0);
    const received = new Promise((resolve) => service.server.once('request', resolve));
    const waiting = call(`${base}/read-models/attendance/ecc2020?after=1000`);
    await received;
    // The handler runs on the next turns; by the time close() stops the runner, the GET is waiting on it.
    await new Promise((resolve) => setTimeout(resolve, 50));
    await service.close();
    const answer = await waiting;
    expectProblem(answer, 503, 'wait-for-position-failed', '/read-models/attendance/ecc2020?after=1000');
    expect(answer.body['detail']).toContain('stopped');
    await expect(fetch(`${base}/status`)).rejects.toThrow();
  });

  it('finishes a command in flight before it resolves, while new connections are refused', async () => {
    const inner = new MemoryEventStore();
    let release: () => void = () => undefined;
    const gate = new Promise<void>((resolve) => (release = resolve));
    let entered: () => void = () => undefined;
    const appending = new Promise<void>((resolve) => (entered = resolve));
    const slow = withAppend(inner, async (streamId, events, options) => {
      entered();
      await gate;
      return inner.appendToStream(streamId, events, options);
    });
    const service = createConferenceHttpService({ eventStore: slow, readModelStore: new MemoryReadModelStore() });
    const base = await service.listen(0);
    const inFlight = post(base, 'schedule-conference', schedule);
    await appending;
    let closed = false;
    const closing = service.close().then(() => (closed = true));
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(closed).toBe(false);
    await expect(fetch(`${base}/healthz`)).rejects.toThrow();
    release();
    expect((await inFlight).status).toBe(201);
    await closing;
    expect((await inner.headPosition()) !== undefined).toBe(true);
  });
});

describe('shutting down while the runner commits its last batch', () => {
  it('answers a request that still arrives with a 503 problem', async () => {
    const gated = gatedStore(new MemoryReadModelStore());
    const service = createConferenceHttpService({ eventStore: new MemoryEventStore(), readModelStore: gated.store });
    const base = await service.listen(0);
    expect((await call(`${base}/healthz`)).status).toBe(200);
    gated.hold();
    expect((await post(base, 'schedule-conference', schedule)).status).toBe(201);
    await gated.waiting();
    // The runner's batch waits at the gate, and stop() waits for that batch: close() is under way, not done.
    const closing = service.close();
    await new Promise((resolve) => setTimeout(resolve, 50));
    const turnedAway = await call(`${base}/healthz`);
    expectProblem(turnedAway, 503, 'service-unavailable', '/healthz');
    expect(turnedAway.headers.get('retry-after')).toBe('1');
    expect(turnedAway.headers.get('connection')).toBe('close');
    gated.release();
    await closing;
  });
});

describe('the request log', () => {
  it('logs every request through Fastify\'s pino logger, and the runner through the same one', async () => {
    const lines: Record<string, unknown>[] = [];
    const stream = new Writable({
      write(chunk: Buffer, _encoding, done) {
        for (const line of chunk.toString('utf8').split('\n').filter(Boolean)) lines.push(JSON.parse(line) as Record<string, unknown>);
        done();
      },
    });
    const service = createConferenceHttpService({ eventStore: new MemoryEventStore(), readModelStore: new MemoryReadModelStore(), logger: { level: 'info', stream } });
    try {
      const base = await service.listen(0);
      await call(`${base}/conferences/ecc2099`);
      await expect.poll(() => lines.some((line) => line['msg'] === 'request completed')).toBe(true);
      const completed = lines.find((line) => line['msg'] === 'request completed')!;
      expect(completed).toMatchObject({ reqId: expect.any(String), res: { statusCode: 404 }, responseTime: expect.any(Number) });
      expect(lines.find((line) => line['msg'] === 'incoming request')).toMatchObject({ req: { method: 'GET', url: '/conferences/ecc2099' } });
      expect(lines.some((line) => line['component'] === 'projections' && /projection attendance_v1 is live/.test(String(line['msg'])))).toBe(true);
    } finally {
      await service.close();
    }
  });
});

describe('the HTTP service example as a program (main.ts)', () => {
  const start = (env: NodeJS.ProcessEnv): { child: ChildProcessWithoutNullStreams; url: Promise<string>; output: () => string } => {
    const child = spawn(process.execPath, ['--conditions=@clusterconf/source', '--import', 'tsx', 'examples/http-service/main.ts'], {
      cwd: repoRoot, env: { ...process.env, ...env },
    });
    let output = '';
    const url = new Promise<string>((resolve, reject) => {
      child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
        output += chunk;
        const match = /service on (http:\/\/\S+)/.exec(output);
        if (match) resolve(match[1]!);
      });
      child.stderr.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
      child.on('exit', (code) => reject(new Error(`main.ts exited with ${code} before listening:\n${output}`)));
    });
    return { child, url, output: () => output };
  };

  it('serves on SQLite, logs its requests, keeps the log across restarts, and stops cleanly on SIGTERM and SIGINT', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'clusterconf-http-main-'));
    const env = { PORT: '0', HOST: '127.0.0.1', CLUSTERCONF_HTTP_DB: join(dir, 'data', 'service.sqlite') };
    const stop = async (child: ChildProcessWithoutNullStreams, signal: NodeJS.Signals) => {
      const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
      child.kill(signal);
      return exited;
    };
    try {
      const first = start(env);
      const scheduled = await post(await first.url, 'schedule-conference', schedule);
      expect(scheduled.status).toBe(201);
      expect(await stop(first.child, 'SIGTERM')).toBe(0);
      expect(first.output()).toContain('stopped');
      expect(first.output()).toMatch(/"msg":"request completed"/);

      const second = start(env);
      const base = await second.url;
      const registered = await post(base, 'register-attendee', attendee('ana', 'PT'));
      expect(registered.status).toBe(201);
      const attendance = await call(`${base}/read-models/attendance/ecc2020?after=${registered.body['position'] as string}`);
      expect(attendance.body).toMatchObject({ total: 1, byCountry: { PT: 1 } });
      expect(await stop(second.child, 'SIGINT')).toBe(0);
      expect(second.output()).toContain('SIGINT: no new requests');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
