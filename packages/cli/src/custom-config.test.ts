import { mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SqliteEventStore, SqliteReadModelStore } from '@clusterconf/adapters/sqlite';
import { toNewEvents } from '@clusterconf/domain';
import { runInProcessWith } from './in-process.test-helper.js';

const repoNodeModules = fileURLToPath(new URL('../../../node_modules', import.meta.url));

/** The orders domain of orders.test-helper.ts, as a user's clusterconf.config.ts in their own project. */
const CONFIG = `
import { defineConfig } from '@clusterconf/cli';
import { openOrdersProjection, orderEvents } from '${fileURLToPath(new URL('./orders.test-helper.js', import.meta.url))}';
export default defineConfig({ registry: orderEvents, projections: [openOrdersProjection], store: 'sqlite:orders.sqlite' });
`;

describe('the CLI on a config of another domain (in process)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'clusterconf-orders-'));
  const run = (...args: string[]) => runInProcessWith({ cwd: dir }, ...args);
  const json = (stdout: string) => JSON.parse(stdout) as Record<string, unknown>;

  beforeAll(async () => {
    symlinkSync(repoNodeModules, join(dir, 'node_modules'), 'dir');
    writeFileSync(join(dir, 'clusterconf.config.ts'), CONFIG);
    const store = await SqliteEventStore.open({ path: join(dir, 'orders.sqlite') });
    const now = () => new Date('2024-05-01T10:00:00.000Z');
    await store.appendToStream('order-1', toNewEvents('order-1', [{ type: 'OrderPlaced', data: { orderId: '1', total: 30 } }, { type: 'OrderShipped', data: { orderId: '1' } }], { now }));
    await store.appendToStream('order-2', toNewEvents('order-2', [{ type: 'OrderPlaced', data: { orderId: '2', total: 12.5 } }], { now }));
    await store.close();
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('shows the config\'s projections, brings them to the head, and rebuilds one by name', async () => {
    const before = await run('status', '--json');
    expect(before.code, before.stderr).toBe(0);
    expect(json(before.stdout)).toEqual({
      store: `sqlite:${join(dir, 'orders.sqlite')}`, head: '3', durableReadModels: true,
      projections: [{ name: 'open_orders', version: 1, position: null, head: '3', lag: 3, lagIs: 'exact' }],
    });

    const replay = await run('replay', '--json');
    expect(replay.code, replay.stderr).toBe(0);
    expect(json(replay.stdout)).toMatchObject({ command: 'replay', head: '3', rebuilt: [], projections: [{ name: 'open_orders', position: '3', lag: 0 }] });
    const readModels = await SqliteReadModelStore.open({ path: join(dir, 'orders.sqlite') });
    expect(await readModels.listDocuments('open_orders_v1', 'orders')).toEqual([expect.objectContaining({ id: '2', document: { total: 12.5 } })]);
    await readModels.close();

    const rebuild = await run('rebuild', 'open_orders', '--json');
    expect(rebuild.code, rebuild.stderr).toBe(0);
    expect(json(rebuild.stdout)).toMatchObject({ command: 'rebuild', rebuilt: ['open_orders'], projections: [{ name: 'open_orders', position: '3' }] });
  });

  it('suggests the configured projection a mistyped name was meant to be', async () => {
    const result = await run('rebuild', 'open_ordrs');
    expect(result.code).toBe(2);
    expect(result.stderr).toBe('clusterconf: Unknown projection "open_ordrs": did you mean open_orders? choose one of open_orders\n');
  });

  it('draws named phases with rate and ETA when --progress forces them, and none with --json or off a terminal', async () => {
    const forced = await run('replay', '--from-scratch', '--progress');
    expect(forced.code, forced.stderr).toBe(0);
    expect(forced.stderr).toMatch(/^replay projecting +\[[█░]+\] +\d+% \| \d+\/3 events \| .* events\/s \| (ETA|done in) /m);

    const file = join(dir, 'progress.ndjson');
    expect((await run('export', '--out', file)).code).toBe(0);
    const imported = await runInProcessWith({ cwd: dir }, 'import', file, '--store', `sqlite:${join(dir, 'progress.sqlite')}`, '--progress');
    expect(imported.code, imported.stderr).toBe(0);
    const phases = imported.stderr.split('\n').filter((line) => line !== '').map((line) => /^import (\w+)/.exec(line)?.[1]);
    expect([...new Set(phases)]).toEqual(['reading', 'writing', 'verifying']);

    const terminal = await runInProcessWith({ cwd: dir, errIsTTY: true }, 'replay');
    expect(terminal.stderr).toContain('replay projecting');
    const terminalJson = await runInProcessWith({ cwd: dir, errIsTTY: true }, 'replay', '--json');
    expect(terminalJson.stderr).toBe('');
    const piped = await run('replay');
    expect(piped.stderr).toBe('');
  });
});

/** A config whose openStores hands out stores it keeps in memory, and records what each command asked for. */
const OPENER_CONFIG = `
import { defineConfig } from '@clusterconf/cli';
import { MemoryEventStore } from '@clusterconf/adapters/memory';
import { toNewEvents } from '@clusterconf/domain';
import { MemoryReadModelStore } from '@clusterconf/projections';
import { openOrdersProjection, orderEvents } from '${fileURLToPath(new URL('./orders.test-helper.js', import.meta.url))}';
const events = new MemoryEventStore();
const readModels = new MemoryReadModelStore();
await events.appendToStream('order-9', toNewEvents('order-9', [{ type: 'OrderPlaced', data: { orderId: '9', total: 1 } }], { now: () => new Date(0) }));
export const requests = [];
export default defineConfig({
  registry: orderEvents,
  projections: [openOrdersProjection],
  openStores: async (request) => {
    requests.push(request);
    return { events, readModels, durableReadModels: false, display: 'orders in memory', close: async () => undefined };
  },
});
`;

describe('a config that opens its own stores', () => {
  const dir = mkdtempSync(join(tmpdir(), 'clusterconf-opener-'));
  const run = (...args: string[]) => runInProcessWith({ cwd: dir }, ...args);
  beforeAll(() => {
    symlinkSync(repoNodeModules, join(dir, 'node_modules'), 'dir');
    writeFileSync(join(dir, 'opener.config.mts'), OPENER_CONFIG);
    writeFileSync(join(dir, 'no-store.config.mts'), CONFIG.replace(", store: 'sqlite:orders.sqlite'", ''));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('is asked for the stores by every command, with the --store URL, the mode and the working directory', async () => {
    const replay = await run('--config', 'opener.config.mts', 'replay', '--json');
    expect(replay.code, replay.stderr).toBe(0);
    expect(JSON.parse(replay.stdout)).toMatchObject({ store: 'orders in memory', durableReadModels: false, projections: [{ name: 'open_orders', position: '1' }] });
    const tail = await run('--config', 'opener.config.mts', 'tail', '--from', 'start', '--until-head', '--store', 'custom://orders');
    expect(tail.stdout).toBe('1 order-9@0 OrderPlaced {"orderId":"9","total":1}\n');
    const file = join(dir, 'orders.ndjson');
    expect((await run('--config', 'opener.config.mts', 'export', '--out', file)).code).toBe(0);
    const imported = await run('--config', 'opener.config.mts', 'import', file);
    expect(imported.stdout).toMatch(/^imported 0 new events, 1 already present, from .* into orders in memory in /);

    const { requests } = (await import(join(dir, 'opener.config.mts'))) as { requests: { url: string | undefined; mode: string; cwd: string }[] };
    expect(requests.map(({ url, mode, cwd }) => [url, mode, cwd])).toEqual([
      [undefined, 'read', dir], ['custom://orders', 'read', dir], [undefined, 'read', dir], [undefined, 'create', dir],
    ]);
  });

  it('without one, and without a store URL, a command says where to give the store', async () => {
    const result = await run('--config', 'no-store.config.mts', 'status');
    expect(result.code).toBe(2);
    expect(result.stderr).toBe(`clusterconf: No store given: pass --store URL (e.g. --store sqlite:data/events.sqlite), set CLUSTERCONF_STORE, or set "store" in ${join(dir, 'no-store.config.mts')}\n`);
  });
});

