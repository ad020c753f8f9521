import { runCli } from '../harness/cli';
import { useCluster } from '../harness/cluster';
import { waitFor } from '../../src/testing/cluster';
import { closeAll, connectAs, idleInTransaction, ROLE_PASSWORD } from './helpers';

describe('dbops timeouts enforce', () => {
  const pg = useCluster();
  const url = () => pg().primary.url;
  const stored = () => pg().psql(pg().primary, `
    SELECT coalesce(r.rolname, '*') || '@' || coalesce(d.datname, '*') || '=' || array_to_string(s.setconfig, ',')
      FROM pg_db_role_setting s LEFT JOIN pg_roles r ON r.oid = s.setrole LEFT JOIN pg_database d ON d.oid = s.setdatabase
     ORDER BY 1`);

  beforeAll(async () => {
    await pg().psql(pg().primary, 'CREATE DATABASE shop');
    await pg().psql(pg().primary, `
      CREATE ROLE web LOGIN PASSWORD '${ROLE_PASSWORD}';
      CREATE ROLE worker LOGIN PASSWORD '${ROLE_PASSWORD}';
      CREATE ROLE "Odd""Role" LOGIN PASSWORD '${ROLE_PASSWORD}';
      CREATE ROLE nopriv LOGIN PASSWORD '${ROLE_PASSWORD}';
      GRANT CONNECT ON DATABASE shop TO PUBLIC;`);
  });

  it('prints the exact plan and changes nothing without --apply', async () => {
    const before = await stored();
    const res = await runCli(['timeouts', 'enforce', '--url', url(), '--idle-in-transaction', '1s', '--role', 'web', '--role', 'Odd"Role']);
    expect(res.stderr).toBe('');
    expect(res.code).toBe(0);
    expect(res.stdout).toContain('Plan (dry run; add --apply to execute):');
    expect(res.stdout).toContain(`ALTER ROLE "web" SET idle_in_transaction_session_timeout = '1s';  -- role "web": not set here → 1s`);
    expect(res.stdout).toContain(`ALTER ROLE "Odd""Role" SET idle_in_transaction_session_timeout = '1s';`);
    expect(await stored()).toBe(before);
  });

  it('--apply makes new sessions of that role time out (25P03), leaves old sessions and other roles alone, and is idempotent', async () => {
    const oldWeb = await connectAs(pg(), 'web');
    const res = await runCli(['timeouts', 'enforce', '--url', url(), '--idle-in-transaction', '1s', '--role', 'web', '--apply']);
    expect(res.code).toBe(0);
    expect(res.stdout).toContain('Applied:');
    expect(res.stdout).toContain(`ALTER ROLE "web" SET idle_in_transaction_session_timeout = '1s'`);
    expect(res.stdout).toMatch(/1 session\(s\) of the changed roles\/databases are open now and keep their old value/);
    expect(await stored()).toContain('web@*=idle_in_transaction_session_timeout=1s');

    const newWeb = await connectAs(pg(), 'web');
    const worker = await connectAs(pg(), 'worker');
    try {
      await idleInTransaction(newWeb.client);
      await idleInTransaction(worker.client);
      await idleInTransaction(oldWeb.client);
      await waitFor(async () => newWeb.errors.length > 0, 10_000, 'the new web session to be terminated');
      expect(newWeb.errors[0].code).toBe('25P03');
      // The others outlive the 1 s timeout by far and still answer inside their transactions.
      await waitFor(
        async () => (await pg().psql(pg().primary, `SELECT count(*) FROM pg_stat_activity WHERE usename IN ('web', 'worker') AND state = 'idle in transaction' AND now() - state_change > interval '2.5 s'`)) === '2',
        10_000,
        'the old web session and the worker session to stay idle for 2.5 s',
      );
      await expect(worker.client.query('SELECT 1')).resolves.toBeDefined();
      await expect(oldWeb.client.query('SELECT 1')).resolves.toBeDefined();
      expect(worker.errors).toEqual([]);
      expect(oldWeb.errors).toEqual([]);
    } finally {
      await closeAll([newWeb.client, worker.client, oldWeb.client]);
    }

    const again = await runCli(['timeouts', 'enforce', '--url', url(), '--idle-in-transaction', '1s', '--role', 'web', '--apply']);
    expect(again.code).toBe(0);
    expect(again.stdout).toContain('Nothing to change');
    expect(again.stdout).not.toContain('ALTER ROLE');
  });

  it('plans ALTER ROLE … IN DATABASE and ALTER DATABASE, and warns when a more specific setting wins', async () => {
    await pg().psql(pg().primary, `ALTER ROLE worker IN DATABASE shop SET idle_in_transaction_session_timeout = 0`);
    const res = await runCli(['timeouts', 'enforce', '--url', url(), '--idle-in-transaction', '45s', '--database', 'shop', '--apply', '--format', 'json']);
    expect(res.code).toBe(0);
    const json = JSON.parse(res.stdout);
    expect(json.changes.map((c: any) => c.sql)).toEqual([`ALTER DATABASE "shop" SET idle_in_transaction_session_timeout = '45s'`]);
    expect(json.shadowed).toEqual(expect.arrayContaining([
      'role "worker" in database "shop" has its own idle_in_transaction_session_timeout = 0, which wins over this change',
      'role "web" has its own idle_in_transaction_session_timeout = 1s, which wins over this change',
    ]));
    const roleDb = await runCli(['timeouts', 'enforce', '--url', url(), '--idle-in-transaction', '2min', '--role', 'worker', '--database', 'shop', '--apply']);
    expect(roleDb.stdout).toContain(`ALTER ROLE "worker" IN DATABASE "shop" SET idle_in_transaction_session_timeout = '2min';  -- role "worker" in database "shop": off → 2min`);
    expect(await stored()).toContain('worker@shop=idle_in_transaction_session_timeout=2min');
  });

  it('--all-login-roles skips exempt roles', async () => {
    const res = await runCli(['timeouts', 'enforce', '--url', url(), '--idle-in-transaction', '1min', '--all-login-roles', '--exclude-role', 'postgres', '--exclude-role', 'nopriv', '--format', 'json']);
    expect(res.code).toBe(0);
    const json = JSON.parse(res.stdout);
    // A dry run says so explicitly: scripts read this key to know whether anything changed.
    expect(json.applied).toBe(false);
    const roles = json.changes.map((c: any) => c.role).sort();
    expect(roles).toEqual(['Odd"Role', 'web', 'worker']);
  });

  it('a role or database named twice is planned once', async () => {
    const res = await runCli(['timeouts', 'enforce', '--url', url(), '--idle-in-transaction', '1min', '--role', 'web', '--role', 'web', '--database', 'shop', '--database', 'shop', '--format', 'json']);
    expect(res.code).toBe(0);
    expect(JSON.parse(res.stdout).changes.map((c: any) => `${c.role}@${c.database}`)).toEqual(['web@shop']);
  });

  it('refuses bad input with exit 2', async () => {
    const zero = await runCli(['timeouts', 'enforce', '--url', url(), '--idle-in-transaction', '0', '--role', 'web']);
    expect(zero.code).toBe(2);
    expect(zero.stderr).toMatch(/^error: --idle-in-transaction must be between 1ms and 2147483647ms, got "0" — /);
    const noTarget = await runCli(['timeouts', 'enforce', '--url', url(), '--idle-in-transaction', '5s']);
    expect(noTarget.code).toBe(2);
    expect(noTarget.stderr).toContain('error: no target');
    const missing = await runCli(['timeouts', 'enforce', '--url', url(), '--idle-in-transaction', '5s', '--role', 'ghost']);
    expect(missing.code).toBe(2);
    expect(missing.stderr.trim()).toBe('error: role "ghost" does not exist — check the name (role names are case-sensitive)');
  });

  it('a role without privileges gets a one-line error and nothing changes', async () => {
    const before = await stored();
    const res = await runCli(['timeouts', 'enforce', '--url', pg().urlFor(pg().primary, { user: 'nopriv', password: ROLE_PASSWORD }), '--idle-in-transaction', '5s', '--role', 'worker', '--apply']);
    expect(res.code).toBe(3);
    expect(res.stderr.trim().split('\n')).toHaveLength(1);
    expect(res.stderr).toMatch(/^error: permission denied.* while applying the plan \(nothing was changed\) — connect as a superuser/);
    expect(res.stderr).not.toContain(ROLE_PASSWORD);
    expect(await stored()).toBe(before);
  });
});
