import { Client } from 'pg';
import { waitFor } from '../../src/testing/cluster';
import { runCli } from '../harness/cli';
import { useCluster } from '../harness/cluster';
import { jsonEvents, noRunnerBackends, spawnCli, stateOf } from './helpers';

describe('dbops backfill control and contention', () => {
  const pg = useCluster();
  const url = () => pg().primary.url;
  const sql = (text: string) => pg().psql(pg().primary, text);
  const table = async (name: string, rows: number) => {
    await sql(`CREATE TABLE ${name} (id int PRIMARY KEY, counter int NOT NULL DEFAULT 0); INSERT INTO ${name} SELECT g FROM generate_series(1, ${rows}) g;`);
  };
  /**
   * A runner held to 500 rows/s (10 batches of 50 a second), so it is still running when the next
   * CLI process starts even on a loaded machine (that start alone was seen taking seconds: with a
   * 20 ms sleep instead, the runner sometimes finished first and `cancel` rightly said "it is done").
   */
  const slowRun = (name: string, extra: string[] = []) =>
    spawnCli(['backfill', 'run', '--url', url(), '--table', name, '--set', 'counter = counter + 1', '--batch-size', '50', '--target-batch-time', 'off', '--max-rate', '500', '--format', 'json', ...extra]);
  const batches = async (name: string) => Number((await stateOf(pg(), `public.${name}`, 'batches')) || 0);
  /** Another session that holds a lock in an open transaction until released. */
  const lockHolder = async (lockSql: string) => {
    const other = new Client({ connectionString: url() });
    await other.connect();
    await other.query('BEGIN');
    await other.query(lockSql);
    return other;
  };

  it('pause, status, resume and cancel from another terminal', async () => {
    await table('ctl', 20_000);
    const run = slowRun('ctl');
    await waitFor(async () => (await batches('ctl')) >= 5, 30_000, 'a few batches');
    const paused = await runCli(['backfill', 'pause', 'public.ctl', '--url', url()]);
    expect(paused).toMatchObject({ code: 0, stdout: 'backfill public.ctl paused; its runner stops before the next batch\n' });
    await waitFor(async () => /"event":"pause","name":"public.ctl","kind":"operator"/.test(run.output().stdout), 10_000, 'the runner to report the pause');
    const held = await batches('ctl');
    const status = await runCli(['backfill', 'status', 'public.ctl', '--url', url(), '--format', 'json']);
    expect(JSON.parse(status.stdout)).toMatchObject({ name: 'public.ctl', status: 'paused', state: 'paused (operator)', runnerAttached: true, batches: held });
    // Paused means no batches, however long we look (poll a few rounds of the runner's wait).
    await waitFor(async () => (await sql("SELECT count(*) FROM pg_stat_activity WHERE application_name = 'dbops backfill' AND query LIKE 'SELECT status, cursor%'")) === '0', 5_000, 'idle runner');
    expect(await batches('ctl')).toBe(held);
    expect((await runCli(['backfill', 'resume', 'public.ctl', '--url', url()])).stdout).toBe('backfill public.ctl resumed; its runner continues with the next batch\n');
    await waitFor(async () => (await batches('ctl')) > held + 3, 10_000, 'batches after resume');
    const cancelled = await runCli(['backfill', 'cancel', 'public.ctl', '--url', url()]);
    expect({ code: cancelled.code, stderr: cancelled.stderr }).toEqual({ code: 0, stderr: '' });
    const end = await run.done;
    expect(end.code).toBe(4);
    expect(end.stderr).toMatch(/backfill public.ctl was cancelled by an operator/);
    expect(jsonEvents(end.stdout).map((e) => e.event)).toEqual(expect.arrayContaining(['pause', 'resume', 'stopped']));
    expect(jsonEvents(end.stdout).pop()).toMatchObject({ event: 'stopped', status: 'cancelled', reason: 'cancelled by an operator' });
    const done = Number(await stateOf(pg(), 'public.ctl', 'rows_done'));
    expect(await sql('SELECT count(*) FILTER (WHERE counter = 1) || \'/\' || count(*) FILTER (WHERE counter > 1) FROM ctl')).toBe(`${done}/0`);
    const again = await runCli(['backfill', 'run', '--url', url(), '--table', 'ctl', '--set', 'counter = counter + 1']);
    expect(again.code).toBe(4);
    expect(again.stderr).toMatch(/backfill public.ctl was cancelled — start it again under another --name/);
    const text = await runCli(['backfill', 'status', '--url', url()]);
    expect(text.stdout).toMatch(/^public.ctl {2}cancelled$/m);
    expect((await runCli(['backfill', 'pause', 'nope', '--url', url()])).stderr).toMatch(/^error: no backfill named nope — /);
  });

  it('the first batch respects --max-rate, and a cancel ends a long wait between batches at once', async () => {
    await table('capped', 100);
    // An absurd --batch-size is lowered, and said so, never silently.
    const dry = await runCli(['backfill', 'run', '--url', url(), '--table', 'capped', '--set', 'counter = counter + 1', '--batch-size', '999999999', '--dry-run']);
    expect(dry.code).toBe(0);
    expect(dry.stderr).toBe('warning: --batch-size 999999999 is above --max-batch-size 50000: batches hold at most 50000 keys\n');
    const run = spawnCli(['backfill', 'run', '--url', url(), '--table', 'capped', '--set', 'counter = counter + 1', '--batch-size', '1000', '--max-rate', '1', '--sleep', '1h', '--format', 'json']);
    await waitFor(async () => jsonEvents(run.output().stdout).some((e) => e.event === 'batch'), 30_000, 'the first batch');
    const [warning, start, first] = jsonEvents(run.output().stdout);
    expect(warning).toEqual({ event: 'warning', message: "--batch-size 1000 is above one second's worth of --max-rate 1: batches hold at most 1 key" });
    expect(start).toMatchObject({ event: 'start' });
    expect(first).toMatchObject({ event: 'batch', batchSize: 1, scanned: 1, updated: 1, throttle: 'sleep 3600000 ms between batches' });
    // The runner now waits an hour before its next batch; the cancel must end that wait, not queue behind it.
    expect((await runCli(['backfill', 'cancel', 'public.capped', '--url', url()])).code).toBe(0);
    const end = await run.done;
    expect(end.code).toBe(4);
    expect(jsonEvents(end.stdout).pop()).toMatchObject({ event: 'stopped', status: 'cancelled', rowsDone: 1, batches: 1 });
    expect(await sql('SELECT sum(counter) FROM capped')).toBe('1');
  });

  /** Starts a slow run, signals it after a few batches, and checks the common contract: exit 130, paused, counts agree. */
  const interrupt = async (name: string, signal: NodeJS.Signals) => {
    await table(name, 3000);
    const run = slowRun(name);
    await waitFor(async () => (await batches(name)) >= 3, 30_000, 'a few batches');
    run.child.kill(signal);
    const end = await run.done;
    expect(end.code).toBe(130);
    expect(await stateOf(pg(), `public.${name}`, "status || ' ' || pause_reason")).toBe(`paused interrupted (${signal})`);
    const done = Number(await stateOf(pg(), `public.${name}`, 'rows_done'));
    expect(await sql(`SELECT count(*) FILTER (WHERE counter = 1) || '/' || count(*) FILTER (WHERE counter > 1) FROM ${name}`)).toBe(`${done}/0`);
    return end;
  };

  it('SIGTERM stops the same way as SIGINT', async () => {
    const end = await interrupt('term', 'SIGTERM');
    expect(end.stderr).toMatch(/^interrupted by SIGTERM: backfill public.term is paused; rerun the same command to resume:$/m);
  });

  it('SIGINT finishes the batch, records paused, prints how to resume and exits 130; the rerun completes', async () => {
    const end = await interrupt('sig', 'SIGINT');
    // A line that can be pasted: the password-bearing URL is named by a variable, never masked as ***.
    expect(end.stderr).toMatch(
      /interrupted by SIGINT: backfill public.sig is paused; rerun the same command to resume:\n {2}npx dbops backfill run --url "\$DATABASE_URL" --table sig --set 'counter = counter \+ 1'.*\n {2}with DATABASE_URL set to the connection string given to --url/,
    );
    expect(end.stderr).not.toContain('dbops-test-password');
    expect(end.stderr).not.toContain('***');
    // An operator's pause holds even over a rerun; resume lets the rerun finish.
    expect((await runCli(['backfill', 'pause', 'public.sig', '--url', url()])).stdout).toBe('backfill public.sig paused; no runner is attached\n');
    const held = slowRun('sig');
    await waitFor(async () => /"kind":"operator"/.test(held.output().stdout), 10_000, 'the rerun to wait on the pause');
    expect(await stateOf(pg(), 'public.sig', 'status')).toBe('paused');
    expect((await runCli(['backfill', 'resume', 'public.sig', '--url', url()])).stdout).toBe('backfill public.sig resumed; its runner continues with the next batch\n');
    expect((await held.done).code).toBe(0);
    expect(await sql('SELECT counter, count(*) FROM sig GROUP BY 1')).toBe('1|3000');
  });

  it('refuses a second runner of the same backfill', async () => {
    await table('twice', 6000);
    const first = slowRun('twice');
    await waitFor(async () => (await batches('twice')) >= 2, 30_000, 'the first runner');
    const second = await runCli(['backfill', 'run', '--url', url(), '--table', 'twice', '--set', 'counter = counter + 1']);
    expect(second.code).toBe(4);
    expect(second.stderr.trim()).toMatch(/^error: backfill public.twice is already being run by .+ pid \d+ \(server process \d+ .+\) — wait for it, or control it with dbops backfill status\|pause\|cancel public.twice$/);
    expect((await first.done).code).toBe(0);
    expect(await sql('SELECT counter, count(*) FROM twice GROUP BY 1')).toBe('1|6000');
  });

  it('retries on lock timeouts while another session holds a row lock, then a table lock', async () => {
    // 20,000 rows at 500 rows/s: the runner is still far from the end when the table lock comes.
    await table('locked', 20_000);
    const other = await lockHolder('SELECT * FROM locked WHERE id = 1500 FOR UPDATE');
    try {
      const run = slowRun('locked', ['--lock-timeout', '100ms', '--retries', '50']);
      const retries = () => (run.output().stdout.match(/"event":"retry"/g) ?? []).length;
      await waitFor(async () => /"event":"retry".*"reason":"lock timeout"/.test(run.output().stdout), 30_000, 'a lock-timeout retry');
      const stuckAt = await stateOf(pg(), 'public.locked', 'cursor->>0');
      expect(Number(stuckAt)).toBeLessThan(1500);
      await other.query('ROLLBACK');
      await waitFor(async () => Number((await stateOf(pg(), 'public.locked', 'cursor->>0')) || 0) > 1600, 10_000, 'progress past the row');
      await other.query('BEGIN');
      await other.query('LOCK TABLE locked IN ACCESS EXCLUSIVE MODE');
      const retriesBefore = retries();
      await waitFor(async () => retries() > retriesBefore, 10_000, 'a retry on the table lock');
      const heldAt = await stateOf(pg(), 'public.locked', 'batches');
      await other.query('ROLLBACK');
      await waitFor(async () => (await stateOf(pg(), 'public.locked', 'batches')) !== heldAt, 10_000, 'progress after the table lock');
      expect((await runCli(['backfill', 'cancel', 'public.locked', '--url', url()])).code).toBe(0);
      const end = await run.done;
      expect(end.code).toBe(4);
      const retry = jsonEvents(end.stdout).find((e) => e.event === 'retry')!;
      expect(retry.error).toBe('canceling statement due to lock timeout');
      const done = Number(await stateOf(pg(), 'public.locked', 'rows_done'));
      expect(done).toBeGreaterThan(1600);
      expect(await sql("SELECT count(*) FILTER (WHERE counter = 1) || '/' || count(*) FILTER (WHERE counter > 1) FROM locked")).toBe(`${done}/0`);
    } finally {
      await other.end();
    }
  });

  it('fails with exit 4 once retries run out, keeps the state, and resumes on rerun', async () => {
    await table('stuck', 500);
    const other = await lockHolder('SELECT * FROM stuck WHERE id = 300 FOR UPDATE');
    try {
      const r = await runCli(['backfill', 'run', '--url', url(), '--table', 'stuck', '--set', 'counter = counter + 1', '--batch-size', '100', '--target-batch-time', 'off', '--lock-timeout', '50ms', '--retries', '2']);
      expect(r.code).toBe(4);
      expect(r.stderr).toMatch(/^error: backfill public.stuck failed at batch 3: lock timeout 3 times in a row \(last: canceling statement due to lock timeout\) — rerun the same command later/m);
      expect(await stateOf(pg(), 'public.stuck', "status || ' ' || batches")).toBe('failed 2');
    } finally {
      await other.query('ROLLBACK');
      await other.end();
    }
    await waitFor(() => noRunnerBackends(pg()), 5_000, 'runner gone');
    const again = await runCli(['backfill', 'run', '--url', url(), '--table', 'stuck', '--set', 'counter = counter + 1']);
    expect(again.code).toBe(0);
    expect(await sql('SELECT counter, count(*) FROM stuck GROUP BY 1')).toBe('1|500');
  });

  it('does not wait forever for a table another session holds exclusively', async () => {
    await table('held', 100);
    const other = await lockHolder('LOCK TABLE held IN ACCESS EXCLUSIVE MODE');
    try {
      const r = await runCli(['backfill', 'run', '--url', url(), '--table', 'held', '--set', 'counter = counter + 1', '--lock-timeout', '200ms']);
      expect(r.code).toBe(4);
      expect(r.stderr.trim()).toBe('error: held is locked by another session (lock timeout while preparing the backfill) — see who holds it in pg_locks and pg_stat_activity, then rerun');
    } finally {
      await other.query('ROLLBACK');
      await other.end();
    }
    expect(await stateOf(pg(), 'public.held', 'status')).toBe('');
  });

  it('retries a batch chosen as a deadlock victim', async () => {
    await table('dead', 300);
    const other = await lockHolder('UPDATE dead SET counter = counter + 100 WHERE id = 50');
    // Only the runner (deadlock_timeout 1 s) may find the cycle, so it is the one to roll back.
    await other.query("SET deadlock_timeout = '60s'");
    try {
      const run = slowRun('dead', ['--lock-timeout', '5s']);
      await waitFor(
        async () => (await sql("SELECT count(*) FROM pg_stat_activity WHERE application_name = 'dbops backfill' AND wait_event_type = 'Lock'")) === '1',
        20_000,
        'the runner to wait for row 50',
      );
      // The runner's first batch (keys 1..50) holds rows 1..49 and waits for 50; asking for row 10 closes the cycle.
      const closing = other.query('UPDATE dead SET counter = counter + 100 WHERE id = 10');
      await closing;
      await other.query('COMMIT');
      const end = await run.done;
      expect(end.code).toBe(0);
      expect(jsonEvents(end.stdout).find((e) => e.event === 'retry')).toMatchObject({ reason: 'deadlock', error: 'deadlock detected' });
      expect(await sql('SELECT counter, count(*) FROM dead GROUP BY 1 ORDER BY 1')).toBe('1|298\n101|2');
    } finally {
      await other.end();
    }
  });

  it('halves the batch after a statement timeout and carries on', async () => {
    await table('slowfn', 300);
    await sql("CREATE FUNCTION slow_inc(i int) RETURNS int LANGUAGE sql AS $$ SELECT pg_sleep(0.002); SELECT i + 1 $$");
    const r = await runCli(['backfill', 'run', '--url', url(), '--table', 'slowfn', '--set', 'counter = slow_inc(counter)', '--batch-size', '200', '--target-batch-time', 'off', '--statement-timeout', '150ms', '--format', 'json']);
    expect(r.code).toBe(0);
    const events = jsonEvents(r.stdout);
    expect(events.find((e) => e.event === 'retry')).toMatchObject({ reason: 'statement timeout', error: 'canceling statement due to statement timeout' });
    expect(events.filter((e) => e.event === 'batch').every((e) => (e.batchSize as number) <= 100)).toBe(true);
    expect(await sql('SELECT counter, count(*) FROM slowfn GROUP BY 1')).toBe('1|300');
  });

  it('a runtime error in the expression fails the backfill with the server message', async () => {
    await sql('CREATE TABLE divs (id int PRIMARY KEY, d int NOT NULL, q int); INSERT INTO divs SELECT g, CASE WHEN g = 150 THEN 0 ELSE 1 END FROM generate_series(1, 200) g;');
    const r = await runCli(['backfill', 'run', '--url', url(), '--table', 'divs', '--set', 'q = 10 / d', '--batch-size', '100', '--target-batch-time', 'off']);
    expect(r.code).toBe(4);
    expect(r.stderr).toMatch(/^error: backfill public.divs failed at batch 2: division by zero — fix the cause and rerun the same command/m);
    expect(await sql('SELECT count(q) FROM divs')).toBe('100');
    expect(await stateOf(pg(), 'public.divs', "status || ' ' || error")).toBe('failed division by zero');
  });
});
