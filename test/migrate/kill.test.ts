import { useCluster } from '../harness/cluster';
import { waitFor } from '../../src/testing/cluster';
import { holdLock, newProject, waitForRunnerBlocked, type Project } from './helpers';

const pg = useCluster();

const runnerGone = (p: Project) =>
  waitFor(async () => (await p.sql("SELECT count(*) FROM pg_stat_activity WHERE application_name LIKE 'dbops migrate%'")) === '0', 15_000, 'killed runner gone');

/**
 * A project whose pending 0002_slow.sql creates first_half, sleeps for test_control's seconds
 * (60 to start with) and creates second_half: a migration that is reliably in flight.
 */
async function slowProject(): Promise<Project> {
  const p = await newProject(pg, { '0001_control.sql': 'CREATE TABLE test_control (sleep_seconds float8);\nINSERT INTO test_control VALUES (60);\n' });
  expect((await p.cli(['migrate'])).code).toBe(0);
  p.write(
    '0002_slow.sql',
    'CREATE TABLE first_half (id int);\nSELECT pg_sleep((SELECT max(sleep_seconds) FROM test_control));\nCREATE TABLE second_half (id int);\n',
  );
  return p;
}

const waitForSleep = (p: Project) =>
  waitFor(
    async () => (await p.sql("SELECT count(*) FROM pg_stat_activity WHERE application_name = 'dbops migrate' AND state = 'active' AND query LIKE 'SELECT pg_sleep%'")) === '1',
    20_000,
    'migration inside pg_sleep',
  );

const halves = (p: Project) => p.sql("SELECT (to_regclass('first_half') IS NOT NULL)::text || ',' || (to_regclass('second_half') IS NOT NULL)::text");

describe('dbops migrate: killed or interrupted mid-migration', () => {
  it('SIGKILL leaves nothing of a transactional migration half-applied, and the next run completes it', async () => {
    const p = await slowProject();
    const run = p.start(['migrate']);
    await waitForSleep(p);
    run.child.kill('SIGKILL');
    await run.done;
    // The runner set client_connection_check_interval, so the server ends the orphaned sleep at once.
    await runnerGone(p);
    expect(await halves(p)).toBe('false,false');
    expect(await p.sql("SELECT count(*) FROM dbops.migrations WHERE version = '0002'")).toBe('0');

    await p.sql('UPDATE test_control SET sleep_seconds = 0');
    const r = await p.cli(['migrate']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/✓ migrations\/0002_slow\.sql/);
    expect(await halves(p)).toBe('true,true');
  });

  it('SIGKILL while queued behind a lock: nothing applied, no queue left behind, the next run completes it', async () => {
    const p = await newProject(pg, { '0001_create.sql': 'CREATE TABLE accounts (id int);\n' });
    expect((await p.cli(['migrate'])).code).toBe(0);
    p.write('0002_alter.sql', 'CREATE TABLE side (id int);\nALTER TABLE accounts ADD COLUMN email text;\n');
    const blocker = await holdLock(p.url, 'SELECT count(*) FROM accounts');
    try {
      // Queued for real: --no-watch-holders asks for the lock at once instead of waiting unqueued.
      const run = p.start(['migrate', '--no-watch-holders']);
      await waitForRunnerBlocked(p);
      run.child.kill('SIGKILL');
      await run.done;
      await runnerGone(p);
      expect(await p.sql("SELECT to_regclass('side') IS NULL")).toBe('t');
    } finally {
      await blocker.release();
    }
    const r = await p.cli(['migrate']);
    expect(r.code).toBe(0);
    expect(await p.sql("SELECT to_regclass('side') IS NOT NULL AND EXISTS (SELECT 1 FROM information_schema.columns WHERE column_name = 'email')")).toBe('t');
  });

  it('SIGINT cancels the running statement, rolls back and exits 130', async () => {
    const p = await slowProject();
    const run = p.start(['migrate']);
    await waitForSleep(p);
    const started = Date.now();
    run.child.kill('SIGINT');
    const r = await run.done;
    expect(Date.now() - started).toBeLessThan(5000);
    expect(r.code).toBe(130);
    expect(r.stderr).toMatch(/^error: interrupted — the migration was rolled back: nothing from this file was applied; rerun to continue\n$/);
    expect(await halves(p)).toBe('false,false');
    await runnerGone(p);
  });

  it('a runner connection terminated mid-migration exits 3 and leaves nothing applied', async () => {
    const p = await slowProject();
    const run = p.start(['migrate']);
    await waitForSleep(p);
    await p.sql("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = 'dbops migrate'");
    const r = await run.done;
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(/^error: migrations\/0002_slow\.sql:2: lost the connection to 127\.0\.0\.1:\d+\/m\d+_\d+: .* — the server rolls back what was in progress/);
    expect(await halves(p)).toBe('false,false');
  });
});
