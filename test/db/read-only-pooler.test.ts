/**
 * Read-only sessions through a transaction-pooling PgBouncer: dbops's reads stay read-only, and
 * nothing read-only is left on the server connection the application gets next.
 */
import { Client } from 'pg';
import { openSession } from '../../src/db/connect';
import { runCli } from '../harness/cli';
import { useCluster } from '../harness/cluster';

describe('read-only sessions behind a transaction-pooling PgBouncer', () => {
  // One server connection: the next client is sure to get the one dbops used.
  const pg = useCluster({ pgbouncer: { poolSize: 1, poolMode: 'transaction' } });
  const viaBouncer = () => pg().pgbouncer!.url;

  /** What the application's next session through the pooler finds, and whether it can write. */
  async function nextClient(): Promise<{ readOnly: string; wrote: boolean }> {
    const next = new Client({ connectionString: viaBouncer() });
    await next.connect();
    try {
      const { rows } = await next.query("SELECT current_setting('default_transaction_read_only') AS ro");
      await next.query('CREATE TABLE IF NOT EXISTS app_writes (n int)');
      await next.query('INSERT INTO app_writes VALUES (1)');
      return { readOnly: rows[0].ro, wrote: true };
    } finally {
      await next.end();
    }
  }

  it('a read-only session refuses writes, also in its own transactions and in parallel calls, and leaves the server connection writable', async () => {
    const s = await openSession({ url: viaBouncer(), applicationName: 'dbops test', readOnly: true });
    try {
      await expect(s.client.query('CREATE TABLE dbops_must_not_exist (n int)')).rejects.toMatchObject({ code: '25006' });
      await s.client.query('BEGIN');
      await expect(s.client.query('CREATE TABLE dbops_must_not_exist (n int)')).rejects.toMatchObject({ code: '25006' });
      await s.client.query('ROLLBACK');
      const [a, b, c] = await Promise.all([
        s.client.query('SELECT 1 AS n'),
        s.client.query("SELECT current_setting('transaction_read_only') AS ro"),
        s.client.query('SELECT $1::int AS n', [3]),
      ]);
      expect([a.rows[0].n, b.rows[0].ro, c.rows[0].n]).toEqual([1, 'on', 3]);
    } finally {
      await s.close();
    }
    expect(await nextClient()).toEqual({ readOnly: 'off', wrote: true });
    expect(await pg().psql(pg().primary, "SELECT to_regclass('dbops_must_not_exist') IS NULL")).toBe('t');
  });

  it.each([
    ['timeouts check', ['timeouts', 'check']],
    ['sessions idle', ['sessions', 'idle']],
  ])('dbops %s through the pooler leaves no read-only setting behind', async (_name, args) => {
    const r = await runCli([...args, '--url', viaBouncer()]);
    expect(r.stderr).not.toContain('Error:');
    expect([0, 1, 2]).toContain(r.code);
    expect(await nextClient()).toEqual({ readOnly: 'off', wrote: true });
  });
});
