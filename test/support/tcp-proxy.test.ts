import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import pg from 'pg';
import { postgresAvailable, postgresConfig, uniqueSchema } from './postgres.js';
import { isSimpleQuery, startTcpProxy, type TcpProxy } from './tcp-proxy.js';

// The outage tests read "cut" and "stall" as a server gone and a network gone silent; these pin down that the proxy
// does exactly that, and only to the connections selected.
describe.skipIf(!postgresAvailable)('the loopback TCP proxy', () => {
  let proxy: TcpProxy;
  const clients: pg.Client[] = [];
  beforeEach(async () => {
    proxy = await startTcpProxy();
  });
  afterEach(async () => {
    for (const client of clients.splice(0)) client.connection.stream.destroy();
    await proxy.close();
  });

  const connect = async (applicationName?: string): Promise<pg.Client> => {
    const client = new pg.Client({ connectionString: proxy.url(), application_name: applicationName, connectionTimeoutMillis: 3_000 });
    client.on('error', () => undefined);
    clients.push(client);
    await client.connect();
    return client;
  };

  it('cut resets the relayed connections and refuses new ones until restore', async () => {
    const client = await connect();
    expect((await client.query('select 1 as one')).rows).toEqual([{ one: 1 }]);
    proxy.cut();
    await expect(client.query('select 1')).rejects.toThrow();
    await expect(connect()).rejects.toThrow();
    expect(proxy.counters).toMatchObject({ cutOff: 1, refused: 1 });
    proxy.restore();
    expect((await (await connect()).query('select 2 as two')).rows).toEqual([{ two: 2 }]);
  });

  it('cuts only the connections whose application name the selector matches', async () => {
    const lease = await connect('clusterconf-lease:tally_v1');
    const pooled = await connect();
    proxy.cut({ applicationName: /^clusterconf-lease:/ });
    await expect(lease.query('select 1')).rejects.toThrow();
    await expect(connect('clusterconf-lease:tally_v1')).rejects.toThrow();
    expect(proxy.refusedApplicationNames).toEqual(['clusterconf-lease:tally_v1']);
    expect((await pooled.query('select 1 as one')).rows).toEqual([{ one: 1 }]);
    expect((await (await connect()).query('select 1 as one')).rows).toEqual([{ one: 1 }]);
  });

  it('stall holds a query unanswered, and restore delivers it as a healed network would', async () => {
    const client = await connect();
    proxy.stall();
    let answered = false;
    const pending = client.query('select 3 as three').then((result) => ((answered = true), result.rows));
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(answered).toBe(false);
    proxy.restore();
    expect(await pending).toEqual([{ three: 3 }]);
  });

  it('onceClientSends lets a fault land between a request the server received and its answer', async () => {
    const schema = uniqueSchema('proxy');
    const direct = new pg.Client(postgresConfig);
    await direct.connect();
    try {
      await direct.query(`create schema "${schema}"; create table "${schema}".t (n int)`);
      const client = await connect('clusterconf-lease:x');
      proxy.onceClientSends({ applicationName: /lease/ }, isSimpleQuery('insert'), () => proxy.stall({ direction: 'to-client' }));
      let answered = false;
      const pending = client.query(`insert into "${schema}".t values (1)`).then(() => (answered = true));
      // The insert reached the server and committed, while its client still waits for the answer.
      await expect.poll(async () => (await direct.query(`select count(*)::int as n from "${schema}".t`)).rows[0].n).toBe(1);
      expect(answered).toBe(false);
      proxy.restore();
      await pending;
    } finally {
      await direct.query(`drop schema if exists "${schema}" cascade`);
      await direct.end();
    }
  });
});
