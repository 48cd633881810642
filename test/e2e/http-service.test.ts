import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SqliteEventStore, SqliteReadModelStore } from '@clusterconf/adapters/sqlite';
import { MemoryEventStore } from '@clusterconf/adapters/memory';
import { comparePositions, parsePosition } from '@clusterconf/domain';
import { MemoryReadModelStore, type ReadModelStore } from '@clusterconf/projections';
import { votesPerCountryProjection } from '../../examples/custom-projection/votes-per-country.js';
import { createConferenceHttpService, type ConferenceHttpService } from '../../examples/http-service/index.js';
import { repoRoot } from './spawn-tsx.js';

interface Answer {
  readonly status: number;
  readonly headers: Headers;
  readonly body: Record<string, unknown>;
}

const call = async (url: string, init: RequestInit = {}): Promise<Answer> => {
  const response = await fetch(url, init);
  return { status: response.status, headers: response.headers, body: (await response.json()) as Record<string, unknown> };
};

const post = (base: string, command: string, body: unknown, headers: Record<string, string> = {}) =>
  call(`${base}/commands/${command}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
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
      eventStore, readModelStore, maxBodyBytes: 2048,
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

  it('runs commands, answers with their positions, and reads its own writes through ?after= and Consistency-Position', async () => {
    const scheduled = await post(base, 'schedule-conference', schedule);
    expect(scheduled.status).toBe(201);
    expect(scheduled.body).toEqual({ position: expect.stringMatching(/^\d+$/), events: ['ConferenceScheduled'] });
    expect(scheduled.headers.get('consistency-position')).toBe(scheduled.body['position']);

    const countries = ['DE', 'FR', 'DE', 'ES'];
    for (const [index, country] of countries.entries()) {
      const registered = await post(base, 'register-attendee', attendee(`a${index}`, country));
      expect(registered.status).toBe(201);
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
  });

  it('answers a domain refusal with 409 and the domain error, and an invalid value with 422', async () => {
    const again = await post(base, 'cast-vote', vote('a1', 'alpha'));
    expect(again.status).toBe(409);
    expect(again.body).toMatchObject({ error: 'AlreadyVoted', attendeeId: 'a1', votedFor: 'beta', message: expect.stringContaining('a vote cannot be changed') });

    const same = await post(base, 'cast-vote', vote('a1', 'beta'));
    expect(same.status).toBe(200);
    // The position of the vote it found, so a GET after it sees that vote counted.
    expect(same.body).toEqual({ position: expect.stringMatching(/^\d+$/), events: [] });
    expect(same.headers.get('consistency-position')).toBe(same.body['position']);

    const late = await post(base, 'register-attendee', attendee('a9', 'IT'));
    expect(late.status).toBe(201);
    const afterClose = await post(base, 'cast-vote', vote('a9', 'beta'));
    expect(afterClose.status).toBe(409);
    expect(afterClose.body).toMatchObject({ error: 'BallotNotOpen', status: 'closed' });

    const country = await post(base, 'register-attendee', attendee('a10', 'Germany'));
    expect(country.status).toBe(422);
    expect(country.body).toMatchObject({ error: 'InvalidCountry', field: 'country', value: 'Germany' });

    const unscheduled = await post(base, 'register-attendee', { ...attendee('x', 'DE'), conferenceId: 'nowhere' });
    expect(unscheduled.status).toBe(409);
    expect(unscheduled.body['error']).toBe('ConferenceNotScheduled');
  });

  it('answers a command sent again with its Idempotency-Key with the first reply, applying it once', async () => {
    const key = { 'idempotency-key': 'register-a20-attempt' };
    const first = await post(base, 'register-attendee', attendee('a20', 'PT'), key);
    expect(first.status).toBe(201);
    // The answer was lost, say: the client sends the same request with the same key.
    const again = await post(base, 'register-attendee', attendee('a20', 'PT'), key);
    expect({ status: again.status, body: again.body }).toEqual({ status: first.status, body: first.body });
    // Without the key it is another command, which the domain refuses: the attendee is registered already.
    expect((await post(base, 'register-attendee', attendee('a20', 'PT'))).body).toMatchObject({ error: 'AttendeeAlreadyRegistered' });
    const attendance = await call(`${base}/read-models/attendance/ecc2020?after=${first.body['position'] as string}`);
    expect((attendance.body['byCountry'] as Record<string, number>)['PT']).toBe(1);

    for (const bad of ['', 'k'.repeat(201)]) {
      const refused = await post(base, 'register-attendee', attendee('a21', 'PT'), { 'idempotency-key': bad });
      expect(refused.status).toBe(400);
      expect(refused.body).toMatchObject({ error: 'InvalidIdempotencyKey', message: expect.stringContaining('send 1 to 200, one key per command') });
    }
  });

  it('rejects malformed bodies with 400 and a reason naming the field', async () => {
    const { candidateId: _omitted, ...missing } = vote('a2', 'beta');
    const missingField = await post(base, 'cast-vote', missing);
    expect(missingField.status).toBe(400);
    expect(missingField.body).toMatchObject({ error: 'InvalidCommand', problems: ['candidateId: expected string, got undefined (missing)'] });

    const wrongType = await post(base, 'grant-jury-award', { awardId: 'jury-award', edition: 'first', title: 'Jury Award', recipient: 'Gamma', affiliation: 'Region C' });
    expect(wrongType.status).toBe(400);
    expect(wrongType.body['problems']).toEqual(['edition: expected number, got "first"']);

    const nested = await post(base, 'open-session', { ...ballotSession, sessionId: 'panel', openers: [{ name: 'Chair', role: 7 }] });
    expect(nested.status).toBe(400);
    expect(nested.body['problems']).toEqual(['openers.0.role: expected string, got 7']);

    const unknownField = await post(base, 'found-alliance', { allianceId: 'eca', name: 'European Cluster Alliance', nation: 'DE' });
    expect(unknownField.status).toBe(400);
    expect((unknownField.body['problems'] as string[])[0]).toMatch(/^nation: unknown field/);

    const invalidJson = await post(base, 'found-alliance', '{"allianceId": "eca",');
    expect(invalidJson.status).toBe(400);
    expect(invalidJson.body['error']).toBe('InvalidJson');
    expect(invalidJson.body['message']).toMatch(/^The body is not valid JSON \(.+\)/);

    const empty = await post(base, 'found-alliance', '');
    expect(empty.status).toBe(400);
    expect(empty.body['error']).toBe('InvalidJson');

    const notUtf8 = await call(`${base}/commands/found-alliance`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: new Uint8Array([0x7b, 0xff, 0x7d]) });
    expect(notUtf8.status).toBe(400);
    expect(notUtf8.body['message']).toContain('not UTF-8');

    const notAnObject = await post(base, 'found-alliance', '[1, 2]');
    expect(notAnObject.status).toBe(400);
    expect(notAnObject.body['problems']).toEqual(['(root): expected a JSON object with allianceId, name, got [1,2]']);

    const tooLarge = await post(base, 'found-alliance', { allianceId: 'eca', name: 'x'.repeat(5000) });
    expect(tooLarge.status).toBe(413);
    expect(tooLarge.body['error']).toBe('BodyTooLarge');

    const form = await post(base, 'found-alliance', 'allianceId=eca', { 'content-type': 'application/x-www-form-urlencoded' });
    expect(form.status).toBe(415);

    // None of the refused commands reached the log.
    const roster = await call(`${base}/read-models/alliance-roster`);
    expect(roster.body).toEqual({ documents: [], nextAfterId: null });
  });

  it('answers unknown routes and names with 404, wrong methods with 405, and bad positions with 400', async () => {
    const unknownModel = await call(`${base}/read-models/speakers/ecc2020`);
    expect(unknownModel.status).toBe(404);
    expect(unknownModel.body['message']).toContain('There is no read model "speakers"');

    const missingDocument = await call(`${base}/read-models/attendance/ecc2099`);
    expect(missingDocument.status).toBe(404);
    expect(missingDocument.body['error']).toBe('DocumentNotFound');

    const unknownCommand = await post(base, 'cancel-conference', {});
    expect(unknownCommand.status).toBe(404);
    expect((await call(`${base}/nowhere`)).status).toBe(404);

    const getCommand = await call(`${base}/commands/cast-vote`);
    expect(getCommand.status).toBe(405);
    expect(getCommand.headers.get('allow')).toBe('POST');
    const postReadModel = await call(`${base}/read-models/attendance/ecc2020`, { method: 'POST', body: '{}' });
    expect(postReadModel.status).toBe(405);
    expect(postReadModel.headers.get('allow')).toBe('GET');

    const badAfter = await call(`${base}/read-models/attendance/ecc2020?after=yesterday`);
    expect(badAfter.status).toBe(400);
    expect(badAfter.body['problems']).toEqual([expect.stringContaining('after: "yesterday" is not a log position')]);
    const badLimit = await call(`${base}/read-models/attendance?limit=0`);
    expect(badLimit.status).toBe(400);
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

  it('reports the projections in /status', async () => {
    const status = await call(`${base}/status`);
    expect(status.status).toBe(200);
    const names = (status.body['projections'] as { name: string }[]).map((entry) => entry.name);
    expect(names).toEqual(['attendance', 'agenda', 'ballot_tallies', 'award_roll', 'alliance_roster', 'votes_per_country']);
  });
});

/** A read-model store whose batches wait at a gate the test opens, so "the projection has not caught up yet" is a state, not a race. */
const gatedStore = (inner: ReadModelStore) => {
  let open: () => void = () => undefined;
  let gate: Promise<void> = Promise.resolve();
  const store: ReadModelStore = {
    kind: inner.kind,
    guarantee: inner.guarantee,
    loadCheckpoint: (namespace) => inner.loadCheckpoint(namespace),
    commitBatch: async (batch) => {
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
    },
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

describe('the HTTP service example when the read models cannot reach a position', () => {
  it('answers 503 with the runner error once waiting for ?after= times out', async () => {
    const eventStore = new MemoryEventStore();
    const readModelStore = new MemoryReadModelStore();
    const service = createConferenceHttpService({ eventStore, readModelStore, waitTimeoutMs: 100 });
    try {
      const base = await service.listen(0);
      const answer = await call(`${base}/read-models/attendance/ecc2020?after=1000`);
      expect(answer.status).toBe(503);
      expect(answer.body['error']).toBe('WAIT_FOR_POSITION_FAILED');
      expect(answer.headers.get('retry-after')).toBe('1');
    } finally {
      await service.close();
    }
  });
});

describe('closing the HTTP service example', () => {
  it('answers a GET still waiting for a position with 503 instead of holding the close until the wait times out', async () => {
    const service = createConferenceHttpService({ eventStore: new MemoryEventStore(), readModelStore: new MemoryReadModelStore(), waitTimeoutMs: 600_000 });
    const base = await service.listen(0);
    // The service's own listener runs first and calls waitFor synchronously, so once this fires the GET is waiting.
    const received = new Promise((resolve) => service.server.once('request', resolve));
    const waiting = call(`${base}/read-models/attendance/ecc2020?after=1000`);
    await received;
    await service.close();
    const answer = await waiting;
    expect(answer.status).toBe(503);
    expect(answer.body).toMatchObject({ error: 'WAIT_FOR_POSITION_FAILED', message: expect.stringContaining('stopped') });
    await expect(fetch(`${base}/status`)).rejects.toThrow();
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
        const match = /on (http:\/\/\S+)/.exec(output);
        if (match) resolve(match[1]!);
      });
      child.stderr.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
      child.on('exit', (code) => reject(new Error(`main.ts exited with ${code} before listening:\n${output}`)));
    });
    return { child, url, output: () => output };
  };

  it('serves on SQLite, keeps the log across restarts, and stops cleanly on SIGTERM', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'clusterconf-http-main-'));
    const env = { PORT: '0', HOST: '127.0.0.1', CLUSTERCONF_HTTP_DB: join(dir, 'data', 'service.sqlite') };
    const stop = async (child: ChildProcessWithoutNullStreams) => {
      const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      return exited;
    };
    try {
      const first = start(env);
      const scheduled = await post(await first.url, 'schedule-conference', schedule);
      expect(scheduled.status).toBe(201);
      expect(await stop(first.child)).toBe(0);
      expect(first.output()).toContain('stopped');

      const second = start(env);
      const base = await second.url;
      const registered = await post(base, 'register-attendee', attendee('ana', 'PT'));
      expect(registered.status).toBe(201);
      const attendance = await call(`${base}/read-models/attendance/ecc2020?after=${registered.body['position'] as string}`);
      expect(attendance.body).toMatchObject({ total: 1, byCountry: { PT: 1 } });
      expect(await stop(second.child)).toBe(0);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
