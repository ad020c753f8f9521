import * as os from 'node:os';
import { Client } from 'pg';
import { RUNNER_LOCK_CLASS } from '../../src/backfill/state-store';
import { waitFor } from '../../src/testing/cluster';
import { runCli } from '../harness/cli';
import { useCluster } from '../harness/cluster';
import { spawnCli, stateOf } from './helpers';

describe('dbops backfill behind a transaction-pooling PgBouncer', () => {
  const pg = useCluster({ pgbouncer: true });
  const url = () => pg().primary.url;
  const viaBouncer = () => pg().pgbouncer!.url;
  const sql = (text: string) => pg().psql(pg().primary, text);
  const table = (name: string) => sql(`CREATE TABLE ${name} (id int PRIMARY KEY, counter int NOT NULL DEFAULT 0); INSERT INTO ${name} SELECT g FROM generate_series(1, 3000) g;`);

  it('refuses it as dbops migrate does, before writing or setting anything', async () => {
    await table('pooled');
    for (const extra of [[], ['--dry-run']]) {
      const r = await runCli(['backfill', 'run', '--url', viaBouncer(), '--table', 'pooled', '--set', 'counter = counter + 1', ...extra]);
      expect(r.code).toBe(2);
      expect(r.stderr.trim()).toMatch(
        /^error: 127\.0\.0\.1:\d+\/postgres looks like a transaction-pooling proxy \(e\.g\. PgBouncer pool_mode=transaction\): .+ — connect dbops backfill run directly to the primary \(or through a session-mode pool\): its runner lock and per-session settings must stay on one server connection$/,
      );
      expect(r.stderr).not.toContain('dbops-test-password');
    }
    expect(await sql("SELECT to_regclass('dbops.backfills') IS NULL")).toBe('t');
    expect(await sql('SELECT count(*) FROM pooled WHERE counter <> 0')).toBe('0');
  });

  it('status, pause and cancel work through it and leave no setting behind on the pooled server connection', async () => {
    await table('ctlpool');
    const run = spawnCli(['backfill', 'run', '--url', url(), '--table', 'ctlpool', '--set', 'counter = counter + 1', '--batch-size', '10', '--max-rate', '20']);
    await waitFor(async () => Number((await stateOf(pg(), 'public.ctlpool', 'batches')) || 0) >= 1, 30_000, 'a batch');
    // PgBouncer hands the next client the server connection the command just used.
    const leftBehind = async () => {
      const next = new Client({ connectionString: viaBouncer() });
      await next.connect();
      try {
        const { rows } = await next.query("SELECT current_setting('lock_timeout') AS lock, current_setting('default_transaction_read_only') AS ro");
        return rows[0];
      } finally {
        await next.end();
      }
    };
    const paused = await runCli(['backfill', 'pause', 'public.ctlpool', '--url', viaBouncer()]);
    expect(paused).toMatchObject({ code: 0, stdout: 'backfill public.ctlpool paused; its runner stops before the next batch\n' });
    expect(await leftBehind()).toEqual({ lock: '0', ro: 'off' });
    const status = await runCli(['backfill', 'status', 'public.ctlpool', '--url', viaBouncer(), '--format', 'json']);
    expect(JSON.parse(status.stdout)).toMatchObject({ name: 'public.ctlpool', status: 'paused', runnerAttached: true });
    expect(await leftBehind()).toEqual({ lock: '0', ro: 'off' });
    expect((await runCli(['backfill', 'cancel', 'public.ctlpool', '--url', viaBouncer()])).code).toBe(0);
    expect((await run.done).code).toBe(4);
  });

  it('a claim left on a pooled server connection by a runner that is gone is named, with how to end it', async () => {
    await table('claimed');
    const args = ['backfill', 'run', '--url', url(), '--table', 'claimed', '--set', 'counter = counter + 1', '--batch-size', '100', '--max-rate', '500'];
    const first = spawnCli(args);
    await waitFor(async () => Number((await stateOf(pg(), 'public.claimed', 'batches')) || 0) >= 2, 30_000, 'a few batches');
    first.child.kill('SIGINT');
    const stopped = await first.done;
    expect(stopped.code).toBe(130);
    // What a run through the pooler left behind: its session lock on a server connection that
    // PgBouncer keeps after the client is gone.
    const pooled = new Client({ connectionString: viaBouncer() });
    await pooled.connect();
    expect((await pooled.query('SELECT pg_try_advisory_lock($1, hashtext($2)) AS ok', [RUNNER_LOCK_CLASS, 'public.claimed'])).rows[0].ok).toBe(true);
    await pooled.end();
    const holder = await sql(`SELECT pid FROM pg_locks WHERE locktype = 'advisory' AND classid::bigint = ${RUNNER_LOCK_CLASS} AND granted`);
    expect(holder).toMatch(/^\d+$/);

    const blocked = await runCli(args);
    expect(blocked.code).toBe(4);
    expect(blocked.stderr.trim()).toMatch(
      new RegExp(
        `^error: backfill public\\.claimed is claimed by a runner that is gone: ${os.hostname()} pid ${first.child.pid} no longer exists, but server process ${holder} \\(application '[^']*'(, from [\\d.]+)?, idle for [\\d.]+ s\\) still holds its claim — end that session with SELECT pg_terminate_backend\\(${holder}\\); then rerun the same command to resume$`,
      ),
    );
    // Doing what it says recovers.
    expect(await sql(`SELECT pg_terminate_backend(${holder})`)).toBe('t');
    await waitFor(async () => (await sql(`SELECT count(*) FROM pg_stat_activity WHERE pid = ${holder}`)) === '0', 10_000, 'the pooled session to end');
    const again = await runCli(args.filter((a, i) => a !== '--max-rate' && args[i - 1] !== '--max-rate'));
    expect(again.code).toBe(0);
    expect(await sql('SELECT counter, count(*) FROM claimed GROUP BY 1')).toBe('1|3000');
  });
});
