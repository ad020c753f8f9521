import { freePort, waitFor } from '../../src/testing/cluster';
import { runCli } from '../harness/cli';
import { useCluster } from '../harness/cluster';
import { jsonEvents, spawnCli, stateOf } from './helpers';

describe('dbops backfill --max-replica-lag', () => {
  const pg = useCluster({ standbys: true, settings: { wal_receiver_status_interval: '1s' } });
  const sql = (text: string) => pg().psql(pg().primary, text);

  afterEach(async () => {
    await pg().psql(pg().standby!, 'SELECT pg_wal_replay_resume()');
  });

  it('pauses while the standby is behind, says why, and continues once it catches up', async () => {
    await sql(`CREATE TABLE events (id int PRIMARY KEY, counter int NOT NULL DEFAULT 0, pad text);
               INSERT INTO events SELECT g, 0, repeat('x', 200) FROM generate_series(1, 8000) g;`);
    await waitFor(async () => (await pg().psql(pg().standby!, "SELECT to_regclass('events') IS NOT NULL")) === 't', 10_000, 'standby to see the table');
    await pg().psql(pg().standby!, 'SELECT pg_wal_replay_pause()');
    const run = spawnCli([
      'backfill', 'run', '--url', pg().primary.url, '--table', 'events', '--set', 'counter = counter + 1',
      '--batch-size', '100', '--target-batch-time', 'off', '--sleep', '50ms', '--max-replica-lag', '1s',
      '--replica', `standby1=${pg().standby!.url}`, '--format', 'json',
    ]);
    await waitFor(async () => /"event":"pause","name":"public.events","kind":"replica-lag"/.test(run.output().stdout), 30_000, 'the runner to pause on lag');
    const pausedAt = Number(await stateOf(pg(), 'public.events', 'batches'));
    expect(pausedAt).toBeGreaterThan(0);
    expect(pausedAt).toBeLessThan(80);
    // Still paused a while later: the standby is still not replaying.
    await waitFor(async () => Number(await pg().psql(pg().primary, "SELECT EXTRACT(EPOCH FROM replay_lag) FROM pg_stat_replication WHERE application_name = 'standby1'")) > 2.5, 20_000, 'lag to grow');
    expect(Number(await stateOf(pg(), 'public.events', 'batches'))).toBe(pausedAt);
    await pg().psql(pg().standby!, 'SELECT pg_wal_replay_resume()');
    const done = await run.done;
    expect(done.code).toBe(0);
    const events = jsonEvents(done.stdout);
    const pause = events.findIndex((e) => e.event === 'pause');
    const resume = events.findIndex((e) => e.event === 'resume');
    expect(events[pause].reason).toMatch(/^replica standby1 \d+\.\d s behind$/);
    expect(resume).toBeGreaterThan(pause);
    expect(events.slice(pause, resume).filter((e) => e.event === 'batch')).toHaveLength(0);
    expect(events[resume].pausedSeconds as number).toBeGreaterThan(1);
    expect(events.at(-1)).toMatchObject({ event: 'done', rowsDone: 8000 });
    expect(await sql('SELECT count(*) FROM events WHERE counter = 1')).toBe('8000');
  });

  it('with only --url, watches the standbys the primary lists; a byte limit pauses at once', async () => {
    await sql(`CREATE TABLE audit_log (id int PRIMARY KEY, counter int NOT NULL DEFAULT 0);
               INSERT INTO audit_log SELECT g FROM generate_series(1, 3000) g;`);
    await waitFor(async () => (await pg().psql(pg().standby!, "SELECT to_regclass('audit_log') IS NOT NULL")) === 't', 10_000, 'standby to see the table');
    await pg().psql(pg().standby!, 'SELECT pg_wal_replay_pause()');
    const run = spawnCli(['backfill', 'run', '--url', pg().primary.url, '--table', 'audit_log', '--set', 'counter = counter + 1', '--batch-size', '100', '--target-batch-time', 'off', '--sleep', '30ms', '--max-replica-lag', '64kB,30s']);
    await waitFor(async () => /paused: replica standby1 .* behind/.test(run.output().stderr), 30_000, 'a pause line');
    const pausedAt = Number(await stateOf(pg(), 'public.audit_log', 'batches'));
    expect(pausedAt).toBeLessThan(30);
    await pg().psql(pg().standby!, 'SELECT pg_wal_replay_resume()');
    const done = await run.done;
    expect(done.code).toBe(0);
    expect(done.stderr).toMatch(/resumed after/);
    expect(done.stdout).toMatch(/^backfill public.audit_log done: 3,000 rows updated/m);
  });

  it('treats a replica it cannot reach as too far behind: pauses, says so, and can be cancelled', async () => {
    await sql('CREATE TABLE unreachable (id int PRIMARY KEY, counter int NOT NULL DEFAULT 0); INSERT INTO unreachable SELECT g FROM generate_series(1, 100) g;');
    const dead = `postgres://postgres:secret-replica-pw@127.0.0.1:${await freePort()}/postgres`;
    const run = spawnCli(['backfill', 'run', '--url', pg().primary.url, '--table', 'unreachable', '--set', 'counter = counter + 1', '--max-replica-lag', '1s', '--replica', `gone=${dead}`, '--format', 'json']);
    await waitFor(async () => /"event":"pause".*"reason":"replica gone unreachable \(.*connection refused\)"/.test(run.output().stdout), 30_000, 'a pause on the unreachable replica');
    expect(await sql('SELECT count(*) FROM unreachable WHERE counter > 0')).toBe('0');
    expect((await runCli(['backfill', 'cancel', 'public.unreachable', '--url', pg().primary.url])).code).toBe(0);
    const end = await run.done;
    expect(end.code).toBe(4);
    expect(end.stdout + end.stderr).not.toContain('secret-replica-pw');
  });
});
