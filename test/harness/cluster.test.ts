import { Client } from 'pg';
import { useCluster } from './cluster';

describe('test cluster harness', () => {
  const pg = useCluster({ standbys: true, pgbouncer: true });

  it('runs a primary, a streaming standby and a cascading standby fed by that standby', async () => {
    const c = pg();
    expect(await c.psql(c.primary, 'SELECT pg_is_in_recovery()')).toBe('f');
    expect(await c.psql(c.standby!, 'SELECT pg_is_in_recovery()')).toBe('t');
    expect(await c.psql(c.cascade!, 'SELECT pg_is_in_recovery()')).toBe('t');
    expect(await c.psql(c.primary, 'SELECT application_name FROM pg_stat_replication')).toBe('standby1');
    expect(await c.psql(c.standby!, 'SELECT application_name FROM pg_stat_replication')).toBe('cascade1');
    await c.psql(c.primary, 'CREATE TABLE harness_probe (id int); INSERT INTO harness_probe VALUES (42)');
    const replicated = async () => c.psql(c.cascade!, "SELECT coalesce((SELECT id FROM harness_probe), 0)").catch(() => '0');
    const deadline = Date.now() + 10_000;
    while ((await replicated()) !== '42' && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    expect(await replicated()).toBe('42');
  });

  it('serves the primary through PgBouncer and its admin console', async () => {
    const c = pg();
    const client = new Client({ connectionString: c.pgbouncer!.url });
    await client.connect();
    const { rows } = await client.query('SELECT current_setting($1) AS port', ['port']);
    expect(Number(rows[0].port)).toBe(c.primary.port);
    await client.end();
    const admin = new Client({ connectionString: c.pgbouncer!.adminUrl });
    await admin.connect();
    const pools = await admin.query<{ database: string }>({ text: 'SHOW POOLS', queryMode: 'simple' } as unknown as string);
    expect(pools.rows.some((r) => r.database === 'postgres')).toBe(true);
    await admin.end();
  });
});
