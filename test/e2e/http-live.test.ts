import { existsSync, mkdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MemoryEventStore } from '@clusterconf/adapters/memory';
import { MemoryReadModelStore } from '@clusterconf/projections';
import { createConferenceHttpService, type ConferenceHttpService, type LiveSnapshot } from '../../examples/http-service/index.js';
import { repoRoot } from './spawn-tsx.js';

const post = async (base: string, command: string, body: unknown): Promise<number> => {
  const response = await fetch(`${base}/commands/${command}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  await response.arrayBuffer();
  return response.status;
};

const candidates = [
  { candidateId: 'alpha', name: 'Alpha Cluster', affiliation: 'Region A' },
  { candidateId: 'beta', name: 'Beta Cluster', affiliation: 'Region B' },
];

/** A conference with an open ballot and `voters` registered: what a live page has to show. */
const seed = async (base: string, voters: readonly string[]): Promise<void> => {
  expect(await post(base, 'schedule-conference', { conferenceId: 'ecc2020', name: 'ECC 2020', days: ['2020-11-24'], capacity: null, organisers: [] })).toBe(201);
  for (const [index, voter] of voters.entries()) {
    expect(await post(base, 'register-attendee', { conferenceId: 'ecc2020', attendeeId: voter, name: voter, country: index % 2 === 0 ? 'DE' : 'FR', stakeholderGroup: 'business' })).toBe(201);
  }
  expect(await post(base, 'open-session', {
    conferenceId: 'ecc2020', sessionId: 'award-vote', title: 'Award vote', day: '2020-11-24', openers: [{ name: 'Chair', role: 'moderator' }],
    ballot: { awardId: 'cluster-award', candidates },
  })).toBe(201);
};
const vote = (base: string, attendeeId: string, candidateId: string) =>
  post(base, 'cast-vote', { conferenceId: 'ecc2020', ballotId: 'award-vote', attendeeId, candidateId });

/** Reads server-sent events off a fetch body: each `snapshot`'s data, as it arrives. */
const eventReader = (body: ReadableStream<Uint8Array>) => {
  const reader = body.getReader();
  const decoder = new TextDecoder();
  let buffered = '';
  return {
    /** The next snapshot, or undefined when the stream ended. */
    next: async (): Promise<LiveSnapshot | undefined> => {
      for (;;) {
        const end = buffered.indexOf('\n\n');
        if (end >= 0) {
          const block = buffered.slice(0, end);
          buffered = buffered.slice(end + 2);
          const data = /^data: (.*)$/m.exec(block);
          if (/^event: snapshot$/m.test(block) && data) return JSON.parse(data[1]!) as LiveSnapshot;
          continue;
        }
        const chunk = await reader.read();
        if (chunk.done) return undefined;
        buffered += decoder.decode(chunk.value, { stream: true });
      }
    },
  };
};

const votesOf = (snapshot: LiveSnapshot | undefined) => snapshot?.ballots[0]?.candidates.map((bar) => [bar.key, bar.count]);

const liveStreams = async (base: string): Promise<number> => ((await (await fetch(`${base}/status`)).json()) as { liveStreams: number }).liveStreams;

describe('the live event stream of a conference', () => {
  let service: ConferenceHttpService;
  let base: string;

  beforeAll(async () => {
    service = createConferenceHttpService({ eventStore: new MemoryEventStore(), readModelStore: new MemoryReadModelStore(), heartbeatMs: 100 });
    base = await service.listen(0);
    await seed(base, ['ana', 'bo', 'cy']);
  });
  afterAll(() => service?.close());

  it('sends a snapshot at once, and another as each vote reaches the read models', async () => {
    const abort = new AbortController();
    const response = await fetch(`${base}/conferences/ecc2020/events`, { signal: abort.signal });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('text/event-stream; charset=utf-8');
    const events = eventReader(response.body!);
    const first = await events.next();
    expect(first).toMatchObject({ conferenceId: 'ecc2020', attendance: { total: 3, countries: [{ key: 'DE', count: 2 }, { key: 'FR', count: 1 }] } });
    expect(votesOf(first)).toEqual([['alpha', 0], ['beta', 0]]);

    expect(await vote(base, 'ana', 'beta')).toBe(201);
    expect(votesOf(await events.next())).toEqual([['alpha', 0], ['beta', 1]]);
    // Votes in a burst coalesce: the last snapshot has them all, and no snapshot ever goes back.
    await Promise.all([vote(base, 'bo', 'alpha'), vote(base, 'cy', 'alpha')]);
    let latest = await events.next();
    while (latest?.ballots[0]?.counted !== 3) latest = await events.next();
    expect(votesOf(latest)).toEqual([['alpha', 2], ['beta', 1]]);
    abort.abort();
  });

  it('lets go of a client that disconnects: no watcher, no stream left behind', async () => {
    const clients = await Promise.all([1, 2, 3].map(async () => {
      const abort = new AbortController();
      const response = await fetch(`${base}/conferences/ecc2020/events`, { signal: abort.signal });
      await eventReader(response.body!).next();
      return abort;
    }));
    await expect.poll(() => liveStreams(base)).toBe(3);
    for (const client of clients) client.abort();
    await expect.poll(() => liveStreams(base)).toBe(0);
    expect(service.feeds.watching()).toBe(0);
  });

  it('feeds a conference scheduled after the page connected', async () => {
    const abort = new AbortController();
    const response = await fetch(`${base}/conferences/ecc2099/events`, { signal: abort.signal });
    const events = eventReader(response.body!);
    expect(await events.next()).toMatchObject({ conferenceId: 'ecc2099', attendance: { total: 0 }, ballots: [] });
    expect(await post(base, 'schedule-conference', { conferenceId: 'ecc2099', name: 'ECC 2099', days: ['2099-11-24'], capacity: null, organisers: [] })).toBe(201);
    expect(await post(base, 'register-attendee', { conferenceId: 'ecc2099', attendeeId: 'zed', name: 'Zed', country: 'IT', stakeholderGroup: 'research' })).toBe(201);
    expect(await events.next()).toMatchObject({ attendance: { total: 1, countries: [{ key: 'IT', count: 1 }] } });
    abort.abort();
  });
});

describe('shutting down with live streams open', () => {
  it('ends every stream, so close() does not wait for the clients, and refuses new ones', async () => {
    const service = createConferenceHttpService({ eventStore: new MemoryEventStore(), readModelStore: new MemoryReadModelStore() });
    const base = await service.listen(0);
    const streams = await Promise.all([1, 2].map(async () => eventReader((await fetch(`${base}/conferences/ecc2020/events`)).body!)));
    for (const stream of streams) expect(await stream.next()).toMatchObject({ conferenceId: 'ecc2020' });
    const started = Date.now();
    await service.close();
    expect(Date.now() - started).toBeLessThan(5000);
    for (const stream of streams) expect(await stream.next()).toBeUndefined();
    expect(service.feeds.watching()).toBe(0);
    await expect(fetch(`${base}/conferences/ecc2020/events`)).rejects.toThrow();
  });
});

describe('the live page in headless Chromium', () => {
  const artifacts = join(repoRoot, 'test', 'artifacts');
  let browser: Browser;
  let service: ConferenceHttpService;
  let base: string;

  beforeAll(async () => {
    browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'] });
    service = createConferenceHttpService({ eventStore: new MemoryEventStore(), readModelStore: new MemoryReadModelStore() });
    base = await service.listen(0);
    await seed(base, ['ana', 'bo', 'cy', 'di']);
  });
  afterAll(async () => {
    await browser?.close();
    await service?.close();
  });

  it('redraws the bars as votes are cast over HTTP, without a reload, and is saved as a screenshot', async () => {
    const page = await browser.newPage({ viewport: { width: 900, height: 700 } });
    const problems: string[] = [];
    page.on('console', (message) => {
      if (message.type() === 'error') problems.push(message.text());
    });
    page.on('pageerror', (error) => problems.push(error.message));
    await page.goto(`${base}/conferences/ecc2020/live`);
    const bar = (candidateId: string) => page.locator(`[data-ballot="award-vote"] [data-key="${candidateId}"]`);
    await expect.poll(() => bar('alpha').getAttribute('data-count')).toBe('0');
    expect(await page.locator('#attendance-total').textContent()).toBe('4');
    expect(await page.locator('#status').getAttribute('data-state')).toBe('live');
    // Marks this document: after the votes it must be the same one, updated in place.
    await page.evaluate(() => Object.assign(globalThis, { notReloaded: true }));
    const widthBefore = Number(await bar('alpha').locator('rect').getAttribute('width'));

    expect(await vote(base, 'ana', 'alpha')).toBe(201);
    await expect.poll(() => bar('alpha').getAttribute('data-count')).toBe('1');
    expect(await vote(base, 'bo', 'alpha')).toBe(201);
    expect(await vote(base, 'cy', 'beta')).toBe(201);
    await expect.poll(() => page.locator('[data-ballot="award-vote"]').getAttribute('data-counted')).toBe('3');
    expect(await bar('alpha').getAttribute('data-count')).toBe('2');
    expect(await bar('beta').getAttribute('data-count')).toBe('1');
    expect(await bar('alpha').locator('.count').textContent()).toBe('2');
    expect(Number(await bar('alpha').locator('rect').getAttribute('width'))).toBeGreaterThan(widthBefore);
    expect(await bar('alpha').getAttribute('class')).toBe('leader');
    expect(await page.evaluate(() => (globalThis as { notReloaded?: boolean }).notReloaded)).toBe(true);
    // No script error, and no violation of the page's Content-Security-Policy.
    expect(problems).toEqual([]);

    mkdirSync(artifacts, { recursive: true });
    const screenshot = join(artifacts, 'live-page.png');
    await page.screenshot({ path: screenshot, fullPage: true });
    expect(existsSync(screenshot) && statSync(screenshot).size > 1000).toBe(true);
    await page.close();
    await expect.poll(() => liveStreams(base)).toBe(0);
  });
});
