import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SqliteEventStore, SqliteKeyStore, SqliteReadModelStore } from '@clusterconf/adapters/sqlite';
import { conferenceStream } from '@clusterconf/domain';
import { createConferenceHttpService, type ConferenceHttpService } from '../../examples/http-service/index.js';

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
const post = (base: string, command: string, body: unknown) =>
  call(`${base}/commands/${command}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
const forget = (base: string, conferenceId: string, attendeeId: string) =>
  call(`${base}/attendees/${conferenceId}/${attendeeId}/personal-data`, { method: 'DELETE' });

describe('the HTTP service forgets an attendee\'s personal data', () => {
  let dir: string;
  let eventStore: SqliteEventStore;
  let readModelStore: SqliteReadModelStore;
  let keyStore: SqliteKeyStore;
  let service: ConferenceHttpService;
  let base: string;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'clusterconf-http-personal-'));
    eventStore = await SqliteEventStore.open({ path: join(dir, 'service.sqlite') });
    readModelStore = await SqliteReadModelStore.open({ database: eventStore.database });
    keyStore = await SqliteKeyStore.open({ database: eventStore.database });
    service = createConferenceHttpService({ eventStore, readModelStore, keyStore });
    base = await service.listen(0, '127.0.0.1');
    await post(base, 'schedule-conference', { conferenceId: 'ecc2020', name: 'ECC 2020', days: ['2020-11-24'], capacity: null, organisers: ['EC'] });
    for (const [attendeeId, name, country] of [['ana', 'Ana Álvarez', 'DE'], ['bo', 'Bo Berg', 'FR']] as const) {
      expect((await post(base, 'register-attendee', { conferenceId: 'ecc2020', attendeeId, name, country, stakeholderGroup: 'business' })).status).toBe(201);
    }
  });

  afterAll(async () => {
    await service?.close();
    await readModelStore?.close();
    await keyStore?.close();
    await eventStore?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('stores the names sealed, and serves them opened', async () => {
    for await (const event of eventStore.readStream(conferenceStream('ecc2020'))) expect(JSON.stringify(event.data)).not.toMatch(/Ana|Bo Berg/);
    const ana = await call(`${base}/read-models/attendee-directory/ecc2020.ana?after=3`);
    expect(ana.body).toMatchObject({ attendeeId: 'ana', name: 'Ana Álvarez', country: 'DE' });
  });

  it('answers DELETE with 204 and the position to read after; the name then reads as forgotten, the counts as before', async () => {
    const before = await call(`${base}/read-models/attendance/ecc2020?after=3`);
    const forgotten = await forget(base, 'ecc2020', 'ana');
    expect(forgotten.status).toBe(204);
    const position = forgotten.headers.get('consistency-position');
    expect(position).toMatch(/^\d+$/);
    const ana = await call(`${base}/read-models/attendee-directory/ecc2020.ana?after=${position!}`);
    expect(ana.body).toMatchObject({ attendeeId: 'ana', name: { forgotten: true, subject: 'attendee-ecc2020.ana' }, country: 'DE' });
    expect((await call(`${base}/read-models/attendee-directory/ecc2020.bo?after=${position!}`)).body).toMatchObject({ name: 'Bo Berg' });
    expect((await call(`${base}/read-models/attendance/ecc2020?after=${position!}`)).body).toEqual(before.body);
    // Idempotent: the same answer, the same position.
    const again = await forget(base, 'ecc2020', 'ana');
    expect(again.status).toBe(204);
    expect(again.headers.get('consistency-position')).toBe(position);
  });

  it('answers a problem for an attendee the conference never registered, and 405 for another method', async () => {
    for (const [conferenceId, attendeeId] of [['ecc2020', 'nobody'], ['no-such-conference', 'ana'], ['ecc2020', 'Not A Slug']] as const) {
      const missing = await forget(base, conferenceId, encodeURIComponent(attendeeId));
      expect(missing.status).toBe(404);
      expect(missing.headers.get('content-type')).toMatch(/^application\/problem\+json/);
      expect(missing.body).toMatchObject({ type: '/problems/resource-not-found', status: 404, detail: expect.stringContaining('has no attendee') });
    }
    const wrongMethod = await call(`${base}/attendees/ecc2020/ana/personal-data`, { method: 'POST' });
    expect(wrongMethod.status).toBe(405);
    expect(wrongMethod.headers.get('allow')).toBe('DELETE');
  });

  it('documents the endpoint in the OpenAPI document', async () => {
    const document = (await call(`${base}/openapi.json`)).body as { paths: Record<string, Record<string, { responses: Record<string, unknown> }>> };
    expect(Object.keys(document.paths['/attendees/{conferenceId}/{attendeeId}/personal-data']!['delete']!.responses)).toEqual(['204', '404', '503']);
  });
});
