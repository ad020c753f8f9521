import { spawn } from 'node:child_process';
import { DBOPS_BIN, runCli } from '../harness/cli';
import { useCluster } from '../harness/cluster';
import { waitFor } from '../../src/testing/cluster';
import { closeAll, connectAs, idleInTransaction, ROLE_PASSWORD } from './helpers';

describe('dbops sessions idle', () => {
  const pg = useCluster();
  const url = () => pg().primary.url;

  beforeAll(async () => {
    await pg().psql(pg().primary, `
      CREATE ROLE idler1 LOGIN PASSWORD '${ROLE_PASSWORD}';
      CREATE ROLE idler2 LOGIN PASSWORD '${ROLE_PASSWORD}';
      CREATE ROLE watcher LOGIN PASSWORD '${ROLE_PASSWORD}';
      GRANT pg_read_all_stats TO watcher;
      CREATE TABLE orders (id int);
      GRANT ALL ON orders TO PUBLIC;`);
  });

  it('lists idle-in-transaction sessions and --terminate ends exactly the eligible ones (57P01)', async () => {
    const a = await connectAs(pg(), 'idler1');
    const b = await connectAs(pg(), 'idler2');
    const su = await connectAs(pg(), 'postgres');
    const idleNoTxn = await connectAs(pg(), 'idler1');
    try {
      const pidA = await idleInTransaction(a.client, 'orders');
      const pidB = await idleInTransaction(b.client);
      const pidSu = await idleInTransaction(su.client);
      await idleNoTxn.client.query('SELECT 1');

      const listed = await runCli(['sessions', 'idle', '--url', url(), '--format', 'json']);
      expect(listed.code).toBe(0);
      const sessions = JSON.parse(listed.stdout).sessions;
      expect(sessions.map((s: any) => s.pid).sort()).toEqual([pidA, pidB, pidSu].sort());
      const rowA = sessions.find((s: any) => s.pid === pidA);
      expect(rowA).toMatchObject({ user: 'idler1', application: 'test-idler1', database: 'postgres', superuser: false, lastQuery: 'SELECT pg_backend_pid() AS pid', skipped: null });
      expect(rowA.locksHeld).toBeGreaterThanOrEqual(2); // its virtual xid and the table lock
      expect(rowA.client).toMatch(/^127\.0\.0\.1:\d+$/);
      expect(sessions.find((s: any) => s.pid === pidSu).skipped).toBe('superuser (add --include-superusers)');

      const table = await runCli(['sessions', 'idle', '--url', url()]);
      expect(table.stdout).toMatch(new RegExp(`${pidA} .*idler1 .*test-idler1`));

      const noConfirm = await runCli(['sessions', 'idle', '--url', url(), '--terminate']);
      expect(noConfirm.code).toBe(2);
      expect(noConfirm.stderr.trim()).toBe('error: --terminate needs confirmation, and stdin is not a terminal — add --yes to terminate without asking');

      const res = await runCli(['sessions', 'idle', '--url', url(), '--terminate', '--yes']);
      expect(res.code).toBe(0);
      expect(res.stdout).toMatch(/Terminated 2 session\(s\): /);
      expect(res.stdout).toContain(`Skipped ${pidSu}: superuser (add --include-superusers).`);
      await waitFor(async () => a.errors.length > 0 && b.errors.length > 0, 10_000, 'both clients to see the termination');
      expect(a.errors[0].code).toBe('57P01');
      expect(b.errors[0].code).toBe('57P01');
      await expect(su.client.query('SELECT 1')).resolves.toBeDefined();
      await expect(idleNoTxn.client.query('SELECT 1')).resolves.toBeDefined();
      expect(su.errors).toEqual([]);
    } finally {
      await closeAll([a.client, b.client, su.client, idleNoTxn.client]);
    }
  });

  it('--role and --older-than narrow what is listed and terminated', async () => {
    const a = await connectAs(pg(), 'idler1');
    const b = await connectAs(pg(), 'idler2');
    try {
      const pidA = await idleInTransaction(a.client);
      const pidB = await idleInTransaction(b.client);
      const old = await runCli(['sessions', 'idle', '--url', url(), '--older-than', '1h', '--format', 'json']);
      expect(JSON.parse(old.stdout).sessions).toEqual([]);
      const res = await runCli(['sessions', 'idle', '--url', url(), '--role', 'idler2', '--terminate', '--yes', '--format', 'json']);
      expect(res.code).toBe(0);
      expect(JSON.parse(res.stdout).terminated).toEqual([pidB]);
      await waitFor(async () => b.errors.length > 0, 10_000, 'idler2 to be terminated');
      expect(b.errors[0].code).toBe('57P01');
      await expect(a.client.query('SELECT 1')).resolves.toBeDefined();
      expect(pidA).not.toBe(pidB);
    } finally {
      await closeAll([a.client, b.client]);
    }
  });

  it('lists and terminates a session idle in a failed transaction (PostgreSQL clears its xact_start)', async () => {
    const a = await connectAs(pg(), 'idler1');
    try {
      const pid = await idleInTransaction(a.client);
      await expect(a.client.query('SELECT 1/0')).rejects.toThrow(/division by zero/);
      const json = await runCli(['sessions', 'idle', '--url', url(), '--role', 'idler1', '--format', 'json']);
      expect(json.code).toBe(0);
      const row = JSON.parse(json.stdout).sessions.find((s: any) => s.pid === pid);
      expect(row).toMatchObject({ state: 'idle in transaction (aborted)', transactionAgeSeconds: null });
      expect(row.idleSeconds).toBeGreaterThanOrEqual(0);
      const table = await runCli(['sessions', 'idle', '--url', url(), '--role', 'idler1']);
      expect(table.stderr).toBe('');
      expect(table.code).toBe(0);
      expect(table.stdout).toMatch(new RegExp(`${pid} .*idler1 .*│ — .*\\(aborted\\)`));
      const res = await runCli(['sessions', 'idle', '--url', url(), '--role', 'idler1', '--terminate', '--yes']);
      expect(res.code).toBe(0);
      expect(res.stdout).toContain(`Terminated 1 session(s): ${pid}.`);
      await waitFor(async () => a.errors.length > 0, 10_000, 'the aborted session to be terminated');
      expect(a.errors[0].code).toBe('57P01');
    } finally {
      await closeAll([a.client]);
    }
  });

  /** Runs the CLI on a pseudo-terminal (util-linux `script`) and answers its question. */
  function onTerminal(args: string[], answer: string): Promise<string> {
    return new Promise((resolve, reject) => {
      const command = [process.execPath, DBOPS_BIN, ...args].map((a) => `'${a.replace(/'/g, `'\\''`)}'`).join(' ');
      const child = spawn('script', ['-qec', command, '/dev/null'], { env: { ...process.env, NO_COLOR: '1' } });
      let out = '';
      let answered = false;
      child.stdout.on('data', (d) => {
        out += d;
        if (!answered && out.includes('[y/N]')) {
          answered = true;
          child.stdin.write(`${answer}\n`);
        }
      });
      child.on('error', reject);
      child.on('close', () => resolve(out));
    });
  }

  it('asks on a terminal and terminates only after "y"', async () => {
    const a = await connectAs(pg(), 'idler1');
    try {
      const pid = await idleInTransaction(a.client);
      const declined = await onTerminal(['sessions', 'idle', '--url', url(), '--role', 'idler1', '--terminate'], 'n');
      expect(declined).toContain(`Terminate 1 session(s) (pids ${pid})? [y/N]`);
      expect(declined).toContain('Not confirmed: no session was terminated.');
      await expect(a.client.query('SELECT 1')).resolves.toBeDefined();
      const accepted = await onTerminal(['sessions', 'idle', '--url', url(), '--role', 'idler1', '--terminate'], 'y');
      expect(accepted).toContain(`Terminated 1 session(s): ${pid}.`);
      await waitFor(async () => a.errors.length > 0, 10_000, 'the session to be terminated');
      expect(a.errors[0].code).toBe('57P01');
    } finally {
      await closeAll([a.client]);
    }
  });

  it('a role that may not signal backends gets a one-line error (exit 3)', async () => {
    const a = await connectAs(pg(), 'idler1');
    try {
      await idleInTransaction(a.client);
      const res = await runCli(['sessions', 'idle', '--url', pg().urlFor(pg().primary, { user: 'watcher', password: ROLE_PASSWORD }), '--terminate', '--yes']);
      expect(res.code).toBe(3);
      expect(res.stderr.trim().split('\n')).toHaveLength(1);
      expect(res.stderr).toMatch(/^error: permission denied.* while terminating sessions — connect as a superuser or a member of pg_signal_backend/);
      await expect(a.client.query('SELECT 1')).resolves.toBeDefined();
    } finally {
      await closeAll([a.client]);
    }
  });

  it('tells a role without pg_read_all_stats that sessions are hidden from it', async () => {
    const a = await connectAs(pg(), 'idler1');
    try {
      await idleInTransaction(a.client);
      const res = await runCli(['sessions', 'idle', '--url', pg().urlFor(pg().primary, { user: 'idler2', password: ROLE_PASSWORD })]);
      expect(res.code).toBe(0);
      expect(res.stdout).toContain('No sessions idle in a transaction.');
      expect(res.stdout).toMatch(/note: [1-9]\d* other session\(s\) are hidden from this role; grant it pg_read_all_stats/);
    } finally {
      await closeAll([a.client]);
    }
  });
});
